"""Trainers' own records and the programme figure: "N trainers delivered M sessions to P people".

A session counts as delivered when it was held (not cancelled), it started within the period
(London dates, both ends included) and at least one person was marked attended. A trainer
delivered it when they train its run. P counts distinct people marked attended at any of
those sessions, once however many sessions they came to; N counts trainers who delivered at
least one. For training leads only: it names trainers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from msgspec import Struct

from peerwork.community.tables import Booking, Occurrence
from peerwork.core import audit
from peerwork.core.access import Principal
from peerwork.core.errors import InvalidInput
from peerwork.core.export import write_csv
from peerwork.core.time import LONDON, london_today, now
from peerwork.training.tables import CourseRun, CourseRunTrainer, Trainer

LONGEST_PERIOD_DAYS = 3660


class TrainerRecordOut(Struct):
    trainer_id: UUID
    name: str
    accreditation: str
    accredited_on: date
    active: bool
    sessions_delivered: int
    people_trained: int


class ProgrammeFigureOut(Struct):
    date_from: date
    date_to: date
    trainers: int
    sessions: int
    people: int
    sentence: str
    by_trainer: list[TrainerRecordOut]


@dataclass(frozen=True)
class Delivered:
    """A session delivered: its run, and who attended it."""

    occurrence_id: UUID
    run_id: UUID
    attended: frozenset[UUID]


def figure(delivered: list[Delivered], trainers_of: dict[UUID, set[UUID]]) -> tuple[int, int, int]:
    """(N trainers, M sessions, P people) over delivered sessions (pure)."""
    trainers = set().union(*(trainers_of.get(d.run_id, set()) for d in delivered)) if delivered else set()
    people = set().union(*(d.attended for d in delivered)) if delivered else set()
    return len(trainers), len(delivered), len(people)


def sentence(trainers: int, sessions: int, people: int) -> str:
    def plural(n: int, one: str, many: str) -> str:
        return f"{n} {one if n == 1 else many}"
    return (f"{plural(trainers, 'trainer', 'trainers')} delivered {plural(sessions, 'session', 'sessions')} "
            f"to {plural(people, 'person', 'people')}")


def year_to_date(date_from: date | None, date_to: date | None) -> tuple[date, date]:
    """The period asked for; what is not given defaults to the current year to date (London)."""
    today = london_today()
    return date_from or date(today.year, 1, 1), date_to or today


def check_period(date_from: date, date_to: date) -> None:
    if date_to < date_from:
        raise InvalidInput("to: on or after from.")
    if (date_to - date_from).days > LONGEST_PERIOD_DAYS:
        raise InvalidInput("to: a period of at most ten years.")


def _instants(date_from: date, date_to: date) -> tuple[datetime, datetime]:
    return (datetime.combine(date_from, time(), LONDON),
            datetime.combine(date_to + timedelta(days=1), time(), LONDON))


async def _delivered(organisation_id: UUID, date_from: date, date_to: date) -> list[Delivered]:
    start, end = _instants(date_from, date_to)
    runs = {r["series"]: r["id"] for r in await CourseRun.select(CourseRun.id, CourseRun.series).where(
        CourseRun.organisation == organisation_id)}
    if not runs:
        return []
    sessions = await Occurrence.select(Occurrence.id, Occurrence.series).where(
        Occurrence.series.is_in(list(runs)) & (Occurrence.status != "cancelled")
        & (Occurrence.start >= start) & (Occurrence.start < end) & (Occurrence.start <= now()))
    if not sessions:
        return []
    attended: dict[UUID, set[UUID]] = {}
    for b in await Booking.select(Booking.occurrence, Booking.account).where(
            Booking.occurrence.is_in([s["id"] for s in sessions]) & (Booking.status == "confirmed")
            & (Booking.attended == True)):  # noqa: E712
        attended.setdefault(b["occurrence"], set()).add(b["account"])
    return [Delivered(s["id"], runs[s["series"]], frozenset(attended[s["id"]])) for s in sessions if s["id"] in attended]


async def _trainers(organisation_id: UUID) -> tuple[list[dict[str, Any]], dict[UUID, set[UUID]]]:
    """The organisation's trainers, and each run's trainers (by trainer id)."""
    trainers = await Trainer.select(
        Trainer.id, Trainer.account.display_name, Trainer.accreditation, Trainer.accredited_on, Trainer.active,
    ).where(Trainer.organisation == organisation_id).order_by(Trainer.account.display_name)
    trainers_of: dict[UUID, set[UUID]] = {}
    for t in await CourseRunTrainer.select(CourseRunTrainer.run, CourseRunTrainer.trainer).where(
            CourseRunTrainer.run.organisation == organisation_id):
        trainers_of.setdefault(t["run"], set()).add(t["trainer"])
    return trainers, trainers_of


async def programme_figure(principal: Principal, date_from: date, date_to: date) -> ProgrammeFigureOut:
    """The figure for a period, with each trainer's own record in it."""
    principal.require("training:lead")
    check_period(date_from, date_to)
    delivered = await _delivered(principal.organisation_id, date_from, date_to)
    trainers, trainers_of = await _trainers(principal.organisation_id)
    n, m, p = figure(delivered, trainers_of)
    by_trainer = []
    for t in trainers:
        theirs = [d for d in delivered if t["id"] in trainers_of.get(d.run_id, set())]
        by_trainer.append(TrainerRecordOut(
            trainer_id=t["id"], name=t["account.display_name"], accreditation=t["accreditation"],
            accredited_on=t["accredited_on"], active=t["active"], sessions_delivered=len(theirs),
            people_trained=len(set().union(*(d.attended for d in theirs))) if theirs else 0))
    await audit.record(principal, "read", "trainer", None, fields=["sessions_delivered", "people_trained"])
    return ProgrammeFigureOut(date_from=date_from, date_to=date_to, trainers=n, sessions=m, people=p,
                              sentence=sentence(n, m, p), by_trainer=by_trainer)


CSV_COLUMNS = ["trainer", "accreditation", "accredited_on", "active", "sessions_delivered", "people_trained",
               "period_from", "period_to"]


async def programme_csv(principal: Principal, date_from: date, date_to: date) -> str:
    """One row per trainer, then the programme's total (trainers, sessions, distinct people)."""
    found = await programme_figure(principal, date_from, date_to)
    rows = [[t.name, t.accreditation, t.accredited_on, "yes" if t.active else "no", t.sessions_delivered,
             t.people_trained, date_from, date_to] for t in found.by_trainer]
    rows.append([f"All trainers ({found.trainers} delivered)", "", "", "", found.sessions, found.people,
                 date_from, date_to])
    body = write_csv(CSV_COLUMNS, rows)
    await audit.record(principal, "export", "trainer", None, fields=CSV_COLUMNS)
    return body

"""Builders for attendance tests: a catalogue course scheduled as a run of weekly sessions with
its trainers, places booked through the training service, and the sessions then moved into
the past so attendance can be marked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from uuid import UUID

from peerwork.community import series
from peerwork.community.tables import Booking, Occurrence
from peerwork.cpd import records as cpd
from peerwork.cpd.schemas import CourseIn
from peerwork.training import places, runs
from peerwork.training.schemas import RunIn, TrainerIn
from peerwork.training.tables import CourseRun


@dataclass
class Run:
    id: UUID
    series_id: UUID
    course_id: UUID
    sessions: list[UUID]


async def make_course(admin, *, title: str = "Peer support foundations", hours: str = "6", kind: str = "core",
                      renewal_months: int | None = 24, mandatory_for=("psw",)):
    return await cpd.create_course(admin.principal, CourseIn(
        title=title, hours=Decimal(hours), kind=kind, renewal_months=renewal_months, mandatory_for=list(mandatory_for)))


async def make_trainer(lead, user, accreditation: str = "National programme, cohort 3") -> UUID:
    made = await runs.add_trainer(lead.principal, TrainerIn(account_id=user.principal.account_id,
                                                             accredited_on=date(2025, 3, 1), accreditation=accreditation))
    return made.id


async def make_run(lead, course_id: UUID, trainers: list[tuple[UUID, object]], *, sessions: int = 2,
                   capacity: int = 10) -> Run:
    """A run of ``sessions`` weekly dates from next week; ``trainers`` are (trainer id, user)."""
    made = await runs.schedule_run(lead.principal, RunIn(
        course_id=course_id, start_date=date.today() + timedelta(days=7), start_time=time(10), end_time=time(13),
        capacity=capacity, sessions=sessions, every="week", location="Training room",
        trainer_ids=[t for t, _ in trainers]))
    series_id = (await CourseRun.select(CourseRun.series).where(CourseRun.id == made.id).first())["series"]
    ids = await Occurrence.select(Occurrence.id).where(Occurrence.series == series_id).order_by(
        Occurrence.start).output(as_list=True)
    return Run(made.id, series_id, course_id, ids)


async def book_all(user, run: Run) -> list[UUID]:
    """Book the person a place on the run; their booking on each session, in order."""
    await places.book_self(user.principal, run.id)
    rows = await Booking.select(Booking.id, Booking.occurrence).where(
        Booking.occurrence.is_in(run.sessions) & (Booking.account == user.principal.account_id))
    by_session = {r["occurrence"]: r["id"] for r in rows}
    return [by_session[s] for s in run.sessions]


async def hold_in_past(lead, run: Run, first_day: date) -> None:
    """Move the sessions (already booked) to weekly dates from ``first_day``, 10:00 UTC."""
    for i, occurrence_id in enumerate(run.sessions):
        start = datetime.combine(first_day + timedelta(days=7 * i), time(10), timezone.utc)
        await series.move_occurrence(lead.principal, occurrence_id, start, start + timedelta(hours=3))

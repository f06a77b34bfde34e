"""Builders for attendance tests: a catalogue course run as a short series of sessions, with
its trainers (who, as on a scheduled run, facilitate the series), and sessions moved into the
past so attendance can be marked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from uuid import UUID

from peerwork.community import bookings, series
from peerwork.community.schemas import SeriesIn
from peerwork.community.tables import EventSeries, Occurrence
from peerwork.cpd import records as cpd
from peerwork.cpd.schemas import CourseIn
from peerwork.training.tables import CourseRun, CourseRunTrainer, Trainer


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
    trainer = Trainer(organisation=lead.principal.organisation_id, account=user.principal.account_id,
                      accredited_on=date(2025, 3, 1), accreditation=accreditation)
    await trainer.save()
    return trainer.id


async def make_run(lead, course_id: UUID, trainers: list[tuple[UUID, object]], *, sessions: int = 2,
                   capacity: int = 10) -> Run:
    """A run of ``sessions`` weekly dates from next week; ``trainers`` are (trainer id, user)."""
    made = await series.create_series(lead.principal, SeriesIn(
        kind="development_day", title="Peer support foundations", rrule=f"FREQ=WEEKLY;COUNT={sessions}",
        start_date=date.today() + timedelta(days=7), start_time=time(10), end_time=time(13), capacity=capacity,
        location="Training room", facilitator_ids=[u.principal.account_id for _, u in trainers]))
    await EventSeries.update({EventSeries.kind: "training"}).where(EventSeries.id == made.id)
    run = CourseRun(organisation=lead.principal.organisation_id, course=course_id, series=made.id, capacity=capacity)
    await run.save()
    for trainer_id, _ in trainers:
        await CourseRunTrainer(run=run.id, trainer=trainer_id).save()
    ids = await Occurrence.select(Occurrence.id).where(Occurrence.series == made.id).order_by(
        Occurrence.start).output(as_list=True)
    return Run(run.id, made.id, course_id, ids)


async def book_all(user, run: Run) -> list[UUID]:
    """The person's booking on each session, in order."""
    return [(await bookings.book(user.principal, s)).id for s in run.sessions]


async def hold_in_past(lead, run: Run, first_day: date) -> None:
    """Move the sessions (already booked) to weekly dates from ``first_day``, 10:00 UTC."""
    for i, occurrence_id in enumerate(run.sessions):
        start = datetime.combine(first_day + timedelta(days=7 * i), time(10), timezone.utc)
        await series.move_occurrence(lead.principal, occurrence_id, start, start + timedelta(hours=3))

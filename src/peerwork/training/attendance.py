"""Trainers mark attendance at their sessions; attending every session of a run records the
course as done, verified, on the person's CPD.

Attendance is the booking engine's own (``community.bookings.mark_attendance`` on the
session's booking): training adds who may mark it (a trainer of the run, or a training lead)
and what follows from it. When a person has attended every session of a run that is not
cancelled, the course is recorded on their CPD through the CPD service: done on the last
session's (London) date, the course's hours, verified by whoever marked that last attendance.
``RunCompletion`` holds the record it made, one per run and person, so marking again never
records it twice. Withdrawing an attendance (marked in error) removes that record again,
unless its owner has used it since (added a reflection or evidence): then it stays, theirs.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from msgspec import Struct

from peerwork.community import bookings
from peerwork.community.schemas import AttendeeOut
from peerwork.community.tables import Booking, Occurrence
from peerwork.core import audit
from peerwork.core.access import Principal
from peerwork.core.db import current_engine, is_postgres, transaction
from peerwork.core.errors import NotFound, PermissionDenied
from peerwork.core.time import LONDON, now
from peerwork.cpd.records import record_attended_course, withdraw_attended_course
from peerwork.training.completion_tables import RunCompletion
from peerwork.training.tables import CourseRun, CourseRunTrainer


class TrainerSessionOut(Struct):
    """One session of a run the caller trains."""

    occurrence_id: UUID
    run_id: UUID
    course: str
    start: datetime
    end: datetime
    status: str
    number: int  # 1-based, within the run's sessions
    of: int
    confirmed: int
    attended: int
    started: bool


class MarkOut(Struct):
    attendee: AttendeeOut
    completed: bool  # the person has now attended every session of the run
    cpd_record_id: UUID | None  # the record the run made for them, if any


async def is_trainer(principal: Principal, run_id: UUID) -> bool:
    return await CourseRunTrainer.exists().where(
        (CourseRunTrainer.run == run_id) & (CourseRunTrainer.trainer.account == principal.account_id)
        & (CourseRunTrainer.trainer.organisation == principal.organisation_id))


async def _run_of(principal: Principal, occurrence_id: UUID) -> dict[str, Any]:
    """The caller's organisation's run this session belongs to (NotFound otherwise)."""
    series = await Occurrence.select(Occurrence.series).where(
        (Occurrence.id == occurrence_id) & (Occurrence.organisation == principal.organisation_id)).first()
    run = None if series is None else await CourseRun.select(
        CourseRun.id, CourseRun.series, CourseRun.course, CourseRun.course.title,
    ).where((CourseRun.series == series["series"]) & (CourseRun.organisation == principal.organisation_id)).first()
    if run is None:
        raise NotFound("No such training session.")
    return run


async def _may_mark(principal: Principal, run: dict[str, Any]) -> None:
    if principal.can("training:lead") or await is_trainer(principal, run["id"]):
        return
    raise PermissionDenied("Only this course's trainers and training leads mark its attendance.")


async def my_sessions(principal: Principal) -> list[TrainerSessionOut]:
    """Every session of the runs the caller trains, soonest last-started first."""
    runs = await CourseRunTrainer.select(CourseRunTrainer.run).where(
        (CourseRunTrainer.trainer.account == principal.account_id)
        & (CourseRunTrainer.trainer.organisation == principal.organisation_id)).output(as_list=True)
    if not runs:
        return []
    rows = await CourseRun.select(CourseRun.id, CourseRun.series, CourseRun.course.title).where(
        CourseRun.id.is_in(runs) & (CourseRun.organisation == principal.organisation_id))
    by_series = {r["series"]: r for r in rows}
    occurrences = await Occurrence.select(
        Occurrence.id, Occurrence.series, Occurrence.start, Occurrence.end, Occurrence.status,
    ).where(Occurrence.series.is_in(list(by_series))).order_by(Occurrence.start)
    counts: dict[UUID, tuple[int, int]] = {}
    ids = [o["id"] for o in occurrences]
    if ids:
        for b in await Booking.select(Booking.occurrence, Booking.attended).where(
                Booking.occurrence.is_in(ids) & (Booking.status == "confirmed")):
            confirmed, attended = counts.get(b["occurrence"], (0, 0))
            counts[b["occurrence"]] = (confirmed + 1, attended + (b["attended"] is True))
    numbered: dict[UUID, list[dict[str, Any]]] = {}
    for o in occurrences:
        numbered.setdefault(o["series"], []).append(o)
    out = []
    for series_id, sessions in numbered.items():
        run = by_series[series_id]
        for i, o in enumerate(sessions, start=1):
            confirmed, attended = counts.get(o["id"], (0, 0))
            out.append(TrainerSessionOut(
                occurrence_id=o["id"], run_id=run["id"], course=run["course.title"], start=o["start"], end=o["end"],
                status=o["status"], number=i, of=len(sessions), confirmed=confirmed, attended=attended,
                started=o["start"] <= now()))
    return sorted(out, key=lambda s: s.start)


async def session_attendees(principal: Principal, occurrence_id: UUID) -> list[AttendeeOut]:
    """Who is booked on a session, with their attendance (audited as a read)."""
    await _may_mark(principal, await _run_of(principal, occurrence_id))
    return await bookings.attendees(principal, occurrence_id)


async def mark(principal: Principal, booking_id: UUID, attended: bool) -> MarkOut:
    """Mark (or withdraw) one person's attendance at a session; record the course on their CPD
    when it completes the run for them, or take that record back when withdrawing breaks it."""
    booking = await Booking.select(Booking.occurrence, Booking.account).where(Booking.id == booking_id).first()
    if booking is None:
        raise NotFound("No such booking.")
    run = await _run_of(principal, booking["occurrence"])
    await _may_mark(principal, run)
    async with transaction():
        await _lock_run(run["series"])
        attendee = await bookings.mark_attendance(principal, booking_id, attended, for_the_set=True)
        completed, record_id = await _settle(principal, run, booking["account"])
    return MarkOut(attendee=attendee, completed=completed, cpd_record_id=record_id)


async def _lock_run(series_id: UUID) -> None:
    """One completion at a time per run: two trainers marking its last two sessions at once
    must not both miss (or both make) the record. SQLite's IMMEDIATE transaction is the lock there."""
    if is_postgres(current_engine()):
        await Occurrence.raw("SELECT id FROM event_series WHERE id = {} FOR UPDATE", series_id)


async def _sessions(series_id: UUID) -> list[dict[str, Any]]:
    return await Occurrence.select(Occurrence.id, Occurrence.start).where(
        (Occurrence.series == series_id) & (Occurrence.status != "cancelled"))


async def _attended(series_id: UUID, account_id: UUID) -> set[UUID]:
    return set(await Booking.select(Booking.occurrence).where(
        (Booking.occurrence.series == series_id) & (Booking.account == account_id)
        & (Booking.status == "confirmed") & (Booking.attended == True)  # noqa: E712
    ).output(as_list=True))


def attended_all(sessions: list[dict[str, Any]], attended: set[UUID]) -> bool:
    """Every session held (not cancelled) attended; a run with no sessions completes nothing."""
    return bool(sessions) and all(s["id"] in attended for s in sessions)


def completed_on(sessions: list[dict[str, Any]]) -> date:
    """The last session's date, in London."""
    return max(s["start"] for s in sessions).astimezone(LONDON).date()


async def _settle(principal: Principal, run: dict[str, Any], account_id: UUID) -> tuple[bool, UUID | None]:
    """Make the run's CPD record when the person has attended it all, or withdraw it when they
    no longer have. Call under the run's lock. Whether they have completed the run, and the
    record it made for them, if one stands."""
    sessions = await _sessions(run["series"])
    done = attended_all(sessions, await _attended(run["series"], account_id))
    existing = await RunCompletion.select(RunCompletion.id, RunCompletion.cpd_record).where(
        (RunCompletion.run == run["id"]) & (RunCompletion.account == account_id)).first()
    if done and existing is None:
        record_id = await record_attended_course(principal, account_id, run["course"], completed_on(sessions),
                                                 verified_by=principal.account_id)
        completion = RunCompletion(organisation=principal.organisation_id, run=run["id"], account=account_id,
                                   cpd_record=record_id)
        await completion.save()
        await audit.record(principal, "create", "run_completion", completion.id)
        return True, record_id
    if not done and existing is not None:
        # The record goes with its completion (the foreign key cascades); a record its owner
        # has used stays, and so does its completion, so marking again never makes a second.
        if await withdraw_attended_course(principal, existing["cpd_record"]):
            await RunCompletion.delete().where(RunCompletion.id == existing["id"])
            await audit.record(principal, "delete", "run_completion", existing["id"])
            return False, None
    return done, existing["cpd_record"] if existing else None

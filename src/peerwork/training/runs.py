"""Scheduling course runs and keeping the pool of accredited trainers.

A run is a catalogue course delivered as dated sessions. The sessions are a community series of
kind ``training`` (created through the series service, so its occurrences, invites and
calendar feed entries are the booking engine's); the run adds the course, the delivery, the
trainers and whether a manager must approve a place.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from peerwork.community import series as community_series
from peerwork.community.schemas import SeriesIn
from peerwork.community.tables import Booking, Occurrence
from peerwork.core import audit
from peerwork.core.access import Principal
from peerwork.core.db import transaction
from peerwork.core.errors import InvalidInput, NotFound
from peerwork.core.tables import Membership
from peerwork.core.time import now
from peerwork.cpd.tables import Course
from peerwork.training.schemas import MyPlace, RunIn, RunOut, SessionOut, TrainerIn, TrainerOut
from peerwork.training.tables import CourseRun, CourseRunTrainer, PlaceRequest, Trainer

SERIES_KIND = "training"
_RULES = {"day": "FREQ=DAILY", "week": "FREQ=WEEKLY", "fortnight": "FREQ=WEEKLY;INTERVAL=2"}


def rule_for(sessions: int, every: str) -> str:
    """The RRULE for ``sessions`` dates repeating ``every`` day, week or fortnight."""
    return f"{_RULES[every]};COUNT={sessions}"


# --- the trainer pool ------------------------------------------------------------------------

def _trainer_out(row: dict[str, Any]) -> TrainerOut:
    return TrainerOut(id=row["id"], account_id=row["account"], name=row["account.display_name"],
                      accredited_on=row["accredited_on"], accreditation=row["accreditation"], active=row["active"])


async def _is_member(organisation_id: UUID, account_id: UUID) -> bool:
    return await Membership.exists().where(
        (Membership.organisation == organisation_id) & (Membership.account == account_id))


async def list_trainers(principal: Principal) -> list[TrainerOut]:
    principal.require("training:lead")
    rows = await Trainer.select(Trainer.all_columns(), Trainer.account.display_name).where(
        Trainer.organisation == principal.organisation_id).order_by(Trainer.account.display_name)
    return [_trainer_out(r) for r in rows]


async def course_choices(principal: Principal) -> list[dict[str, Any]]:
    """The organisation's active catalogue courses (id and title, by title): what a run can teach."""
    principal.require("training:lead")
    return await Course.select(Course.id, Course.title).where(
        (Course.organisation == principal.organisation_id) & (Course.active == True)  # noqa: E712
    ).order_by(Course.title)


async def add_trainer(principal: Principal, data: TrainerIn) -> TrainerOut:
    """Add someone to the pool, or update their accreditation if they are in it already."""
    principal.require("training:lead")
    if not await _is_member(principal.organisation_id, data.account_id):
        raise InvalidInput("account_id: not an account in your organisation")
    if data.accredited_on > now().date():
        raise InvalidInput("accredited_on: cannot be in the future")
    async with transaction():
        existing = await Trainer.select(Trainer.id).where(
            (Trainer.organisation == principal.organisation_id) & (Trainer.account == data.account_id)).first()
        values = {Trainer.accredited_on: data.accredited_on, Trainer.accreditation: data.accreditation.strip(),
                  Trainer.active: data.active}
        if existing:
            trainer_id = existing["id"]
            await Trainer.update(values).where(Trainer.id == trainer_id)
        else:
            trainer = Trainer(organisation=principal.organisation_id, account=data.account_id,
                              accredited_on=data.accredited_on, accreditation=data.accreditation.strip(),
                              active=data.active)
            await trainer.save()
            trainer_id = trainer.id
        await audit.record(principal, "update" if existing else "create", "trainer", trainer_id)
    row = await Trainer.select(Trainer.all_columns(), Trainer.account.display_name).where(
        Trainer.id == trainer_id).first()
    return _trainer_out(row)


async def _trainer_accounts(principal: Principal, trainer_ids: list[UUID]) -> list[UUID]:
    wanted = list(dict.fromkeys(trainer_ids))
    if not wanted:
        return []
    rows = await Trainer.select(Trainer.id, Trainer.account).where(
        Trainer.id.is_in(wanted) & (Trainer.organisation == principal.organisation_id) & (Trainer.active == True)  # noqa: E712
    )
    found = {r["id"]: r["account"] for r in rows}
    if missing := [str(t) for t in wanted if t not in found]:
        raise InvalidInput(f"trainer_ids: not active accredited trainers in your pool: {', '.join(missing)}")
    return [found[t] for t in wanted]


# --- scheduling ------------------------------------------------------------------------------

def _check_delivery(data: RunIn) -> None:
    if data.delivery == "online" and not data.online_link:
        raise InvalidInput("online_link: an online course needs its joining link (http or https)")
    if data.delivery == "in_person" and not (data.location or "").strip():
        raise InvalidInput("location: an in-person course needs a place")


async def schedule_run(principal: Principal, data: RunIn) -> RunOut:
    """Schedule a course as dated sessions, with its trainers; all of it or nothing."""
    principal.require("training:lead")
    course = await Course.select(Course.id, Course.title, Course.active).where(
        (Course.id == data.course_id) & (Course.organisation == principal.organisation_id)).first()
    if course is None or not course["active"]:
        raise InvalidInput("course_id: not an active course in your organisation's catalogue")
    _check_delivery(data)
    if data.start_date <= now().date():
        raise InvalidInput("start_date: a course is scheduled from tomorrow on")
    if data.start_date > now().date() + timedelta(days=community_series.HORIZON_DAYS - 30):
        raise InvalidInput(f"start_date: schedule a course at most {community_series.HORIZON_DAYS - 30} days ahead")
    trainer_accounts = await _trainer_accounts(principal, data.trainer_ids)
    spec = SeriesIn(
        kind=SERIES_KIND,  # type: ignore[arg-type]  # not a kind of reflective space: listed apart
        title=course["title"], rrule=rule_for(data.sessions, data.every), start_date=data.start_date,
        start_time=data.start_time, end_time=data.end_time, capacity=data.capacity,
        description=data.description, location=(data.location or "").strip() or None if data.delivery == "in_person"
        else None, online_link=data.online_link if data.delivery == "online" else None,
        visibility="organisation", booking_cutoff_minutes=data.booking_cutoff_hours * 60,
        facilitator_ids=trainer_accounts,  # trainers mark attendance as facilitators do
    )
    async with transaction():
        made = await community_series.create_series(principal, spec)
        run = CourseRun(organisation=principal.organisation_id, course=data.course_id, series=made.id,
                        delivery=data.delivery, capacity=data.capacity, booking_cutoff_hours=data.booking_cutoff_hours,
                        requires_approval=data.requires_approval, created_by=principal.account_id)
        await run.save()
        for trainer_id in dict.fromkeys(data.trainer_ids):
            await CourseRunTrainer(run=run.id, trainer=trainer_id).save()
        sessions = await Occurrence.count().where(Occurrence.series == made.id)
        if sessions != data.sessions:
            raise InvalidInput("start_date: the sessions do not all fall within the booking horizon")
        await audit.record(principal, "create", "course_run", run.id, sessions=sessions)
    return await get_run(principal, run.id)


async def cancel_run(principal: Principal, run_id: UUID) -> RunOut:
    """Cancel a run: its future sessions are cancelled and everyone booked is sent a CANCEL."""
    principal.require("training:lead")
    run = await run_row(principal, run_id)
    async with transaction():
        if run["status"] != "cancelled":
            await community_series.close_series(principal, run["series"])
            await CourseRun.update({CourseRun.status: "cancelled"}).where(CourseRun.id == run_id)
            await PlaceRequest.update({PlaceRequest.status: "cancelled", PlaceRequest.updated_at: now()}).where(
                (PlaceRequest.run == run_id) & (PlaceRequest.status == "pending"))
            await audit.record(principal, "cancel", "course_run", run_id)
    return await get_run(principal, run_id)


# --- reading ---------------------------------------------------------------------------------

async def run_row(principal: Principal, run_id: UUID) -> dict[str, Any]:
    """The run, if it is the caller's organisation's (another organisation's is a 404)."""
    row = await CourseRun.select(
        CourseRun.all_columns(), CourseRun.course.title, CourseRun.series.location, CourseRun.series.online_link,
    ).where((CourseRun.id == run_id) & (CourseRun.organisation == principal.organisation_id)).first()
    if row is None:
        raise NotFound("No such course run.")
    return row


async def session_ids(series_id: UUID) -> list[UUID]:
    """The run's scheduled sessions (a place is a place on each)."""
    return await Occurrence.select(Occurrence.id).where(
        (Occurrence.series == series_id) & (Occurrence.status == "scheduled")
    ).order_by(Occurrence.start).output(as_list=True)


async def _sessions(series_id: UUID) -> list[SessionOut]:
    rows = await Occurrence.select(Occurrence.id, Occurrence.start, Occurrence.end, Occurrence.status).where(
        Occurrence.series == series_id).order_by(Occurrence.start)
    counts: dict[tuple[Any, str], int] = {}
    if rows:
        for c in await Booking.select(Booking.occurrence, Booking.status).where(
                Booking.occurrence.is_in([r["id"] for r in rows]) & (Booking.status != "cancelled")):
            key = (c["occurrence"], c["status"])
            counts[key] = counts.get(key, 0) + 1
    return [SessionOut(id=r["id"], start=r["start"], end=r["end"], status=r["status"],
                       confirmed=counts.get((r["id"], "confirmed"), 0),
                       waitlisted=counts.get((r["id"], "waitlisted"), 0)) for r in rows]


async def _my_place(principal: Principal, run: dict[str, Any], sessions: list[SessionOut]) -> MyPlace | None:
    pending = await PlaceRequest.select(PlaceRequest.id, PlaceRequest.status).where(
        (PlaceRequest.run == run["id"]) & (PlaceRequest.account == principal.account_id)
        & PlaceRequest.status.is_in(["pending", "booked"])).order_by(PlaceRequest.created_at, ascending=False).first()
    scheduled = [s.id for s in sessions if s.status == "scheduled"]
    if scheduled:
        mine = await Booking.select(Booking.occurrence, Booking.status, Booking.queue_position).where(
            Booking.occurrence.is_in(scheduled) & (Booking.account == principal.account_id)
            & (Booking.status != "cancelled")).order_by(Booking.occurrence)
        if mine:
            first = min(mine, key=lambda b: str(b["occurrence"]))
            position = None
            if first["status"] == "waitlisted":
                position = await Booking.count().where(
                    (Booking.occurrence == first["occurrence"]) & (Booking.status == "waitlisted")
                    & (Booking.queue_position <= first["queue_position"]))
            return MyPlace(status=first["status"], waitlist_position=position,
                           request_id=pending["id"] if pending else None)
    if pending and pending["status"] == "pending":
        return MyPlace(status="pending", request_id=pending["id"])
    return None


def _run_out(run: dict[str, Any], sessions: list[SessionOut], trainers: list[str], my: MyPlace | None) -> RunOut:
    scheduled = [s for s in sessions if s.status == "scheduled"]
    confirmed = max((s.confirmed for s in scheduled), default=0)
    first = scheduled[0].start if scheduled else None
    open_ = (run["status"] == "scheduled" and first is not None
             and now() < first - timedelta(hours=run["booking_cutoff_hours"]))
    return RunOut(
        id=run["id"], course_id=run["course"], title=run["course.title"], delivery=run["delivery"],
        location=run["series.location"], online_link=run["series.online_link"], capacity=run["capacity"],
        places_left=max(run["capacity"] - confirmed, 0), waitlisted=max((s.waitlisted for s in scheduled), default=0),
        booking_cutoff_hours=run["booking_cutoff_hours"], requires_approval=run["requires_approval"],
        status=run["status"], booking_open=open_, sessions=sessions, trainers=trainers, my_place=my)


async def _trainer_names(run_id: UUID) -> list[str]:
    return await CourseRunTrainer.select(CourseRunTrainer.trainer.account.display_name).where(
        CourseRunTrainer.run == run_id).order_by(CourseRunTrainer.trainer.account.display_name).output(as_list=True)


async def get_run(principal: Principal, run_id: UUID) -> RunOut:
    principal.require("training:read")
    run = await run_row(principal, run_id)
    sessions = await _sessions(run["series"])
    return _run_out(run, sessions, await _trainer_names(run_id), await _my_place(principal, run, sessions))


async def list_runs(principal: Principal) -> list[RunOut]:
    """The organisation's runs whose last session is still to come, soonest first."""
    principal.require("training:read")
    runs = await CourseRun.select(
        CourseRun.all_columns(), CourseRun.course.title, CourseRun.series.location, CourseRun.series.online_link,
        CourseRun.series.first_start,
    ).where(CourseRun.organisation == principal.organisation_id).order_by(CourseRun.series.first_start)
    result = []
    for run in runs:
        sessions = await _sessions(run["series"])
        if not sessions or sessions[-1].end <= now():
            continue
        result.append(_run_out(run, sessions, await _trainer_names(run["id"]),
                               await _my_place(principal, run, sessions)))
    return result

"""Event series and their occurrences: create, change from a date, cancel or move one, and
keep occurrences materialised far enough ahead to book."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from uuid import UUID

from peerwork.calendar.feeds import forget_fingerprints
from peerwork.community import notify
from peerwork.core.time import LONDON, london
from peerwork.community.recurrence import RecurrenceError, check_rrule, starts_between, until_before
from peerwork.community.schemas import SeriesChange, SeriesIn, SeriesOut
from peerwork.community.tables import Booking, EventSeries, Occurrence, SeriesFacilitator
from peerwork.core.db import transaction
from peerwork.core.errors import InvalidInput, NotFound
from peerwork.core import audit
from peerwork.core.access import Principal
from peerwork.core.tables import Membership
from peerwork.core.time import now

HORIZON_DAYS = 180



def _rule(raw: str) -> str:
    try:
        return check_rrule(raw)
    except RecurrenceError as exc:
        raise InvalidInput(f"rrule: {exc}") from None


def _duration(start: time, end: time) -> int:
    minutes = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
    if minutes <= 0:
        raise InvalidInput("end_time: must be after start_time (events end on the day they start)")
    return minutes


def first_start_for(rule: str, start_date: date, start_time: time) -> datetime:
    """The first instance on or after the requested date. RFC 5545 counts DTSTART as an
    instance even if it does not match the rule; starting on a match keeps clients agreeing."""
    requested = london(datetime.combine(start_date, start_time))
    starts = starts_between(requested, rule, requested, requested + timedelta(days=400))
    if not starts:
        raise InvalidInput("rrule: the rule has no dates in the year after start_date")
    return starts[0]


def series_out(row: dict[str, Any]) -> SeriesOut:
    return SeriesOut(**{f: row[f] for f in SeriesOut.__struct_fields__})


async def _check_facilitators(principal: Principal, account_ids: list[UUID]) -> None:
    if not account_ids:
        return
    found = set(await Membership.select(Membership.account).where(
        (Membership.organisation == principal.organisation_id) & Membership.account.is_in(account_ids)
    ).output(as_list=True))
    if missing := [str(a) for a in account_ids if a not in found]:
        raise InvalidInput(f"facilitator_ids: not accounts in your organisation: {', '.join(missing)}")


async def create_series(principal: Principal, data: SeriesIn) -> SeriesOut:
    principal.require("community:manage")
    rule = _rule(data.rrule)
    duration = _duration(data.start_time, data.end_time)
    first = first_start_for(rule, data.start_date, data.start_time)
    await _check_facilitators(principal, data.facilitator_ids)
    async with transaction():
        series = EventSeries(
            organisation=principal.organisation_id, kind=data.kind, title=data.title.strip(),
            description=data.description, rrule=rule, first_start=first, duration_minutes=duration,
            capacity=data.capacity, location=data.location, online_link=data.online_link,
            visibility=data.visibility, booking_cutoff_minutes=data.booking_cutoff_minutes,
        )
        await series.save()
        for account_id in dict.fromkeys(data.facilitator_ids):
            await SeriesFacilitator(series=series.id, account=account_id).save()
        await materialise(series.id)
        await audit.record(principal, "create", "event_series", series.id)
    return await get_series(principal, series.id)


async def get_series(principal: Principal, series_id: UUID) -> SeriesOut:
    principal.require("community:read")
    row = await EventSeries.select().where(
        (EventSeries.id == series_id) & (EventSeries.organisation == principal.organisation_id)
    ).first()
    if row is None:
        raise NotFound("No such series.")
    return series_out(row)


async def list_series(principal: Principal) -> list[SeriesOut]:
    principal.require("community:read")
    rows = await EventSeries.select().where(
        (EventSeries.organisation == principal.organisation_id) & (EventSeries.kind != "training")  # course runs
    ).order_by(
        EventSeries.title
    )
    return [series_out(r) for r in rows]


async def materialise(series_id: UUID, *, until: datetime | None = None) -> int:
    """Create the occurrences due up to the horizon that do not exist yet. Idempotent."""
    forget_fingerprints()
    series = await EventSeries.select().where(EventSeries.id == series_id).first()
    if series is None or series["status"] != "open":
        return 0
    until = until or now() + timedelta(days=HORIZON_DAYS)
    after = max(series["first_start"], now() - timedelta(days=1))
    starts = starts_between(series["first_start"], series["rrule"], after, until)
    existing = set(await Occurrence.select(Occurrence.original_start).where(
        (Occurrence.series == series_id) & (Occurrence.original_start >= after)
    ).output(as_list=True))
    length = timedelta(minutes=series["duration_minutes"])
    new = [
        Occurrence(series=series_id, organisation=series["organisation"], original_start=s, start=s,
                   end=s + length, capacity=series["capacity"])
        for s in starts if s not in existing
    ]
    if new:
        await Occurrence.insert(*new)
    return len(new)


async def keep_horizon() -> int:
    """For the scheduled job: every open series has occurrences up to the horizon."""
    total = 0
    for series_id in await EventSeries.select(EventSeries.id).where(EventSeries.status == "open").output(as_list=True):
        async with transaction():
            total += await materialise(series_id)
    return total


async def _occurrence_for_change(principal: Principal, occurrence_id: UUID) -> dict[str, Any]:
    principal.require("community:manage")
    row = await Occurrence.select().where(
        (Occurrence.id == occurrence_id) & (Occurrence.organisation == principal.organisation_id)
    ).first()
    if row is None:
        raise NotFound("No such occurrence.")
    if row["status"] == "cancelled":
        raise InvalidInput("This occurrence is already cancelled.")
    return row


async def cancel_occurrence(principal: Principal, occurrence_id: UUID, reason: str = "") -> None:
    """Cancel one occurrence; everyone booked gets a CANCEL for it."""
    async with transaction():
        await _occurrence_for_change(principal, occurrence_id)
        await Occurrence.update({
            Occurrence.status: "cancelled", Occurrence.sequence: Occurrence.sequence + 1, Occurrence.updated_at: now(),
        }).where(Occurrence.id == occurrence_id)
        await _bump_bookings(occurrence_id)
        await notify.occurrence_cancelled(occurrence_id, reason)
        await audit.record(principal, "cancel", "occurrence", occurrence_id)


async def move_occurrence(
    principal: Principal, occurrence_id: UUID, start: datetime, end: datetime, location: Any = None
) -> None:
    """Move one occurrence; everyone booked gets an updated invite (same UID, higher SEQUENCE)."""
    if start.tzinfo is None or end.tzinfo is None:
        raise InvalidInput("start and end need a time zone offset (e.g. 2027-03-02T13:00:00+00:00)")
    if end <= start:
        raise InvalidInput("end: must be after start")
    values: dict[Any, Any] = {
        Occurrence.start: start.astimezone(timezone.utc), Occurrence.end: end.astimezone(timezone.utc),
        Occurrence.sequence: Occurrence.sequence + 1, Occurrence.updated_at: now(),
    }
    if location is not None:
        values[Occurrence.location] = location or None
    async with transaction():
        await _occurrence_for_change(principal, occurrence_id)
        await Occurrence.update(values).where(Occurrence.id == occurrence_id)
        await _bump_bookings(occurrence_id)
        await notify.occurrence_changed(occurrence_id)
        await audit.record(principal, "move", "occurrence", occurrence_id)


async def _bump_bookings(occurrence_id: UUID) -> None:
    forget_fingerprints()
    await Booking.update({Booking.sequence: Booking.sequence + 1, Booking.updated_at: now()}).where(
        (Booking.occurrence == occurrence_id) & (Booking.status != "cancelled")
    )


async def change_series(principal: Principal, series_id: UUID, change: SeriesChange) -> SeriesOut:
    """Change a series from ``from_date`` onwards; the dates before it keep what they had.

    From the first date the change applies to the whole series in place. From a later date
    the series is split there: this one ends the day before and a new one starts at the cut.
    A new time or rule starts a new series whose occurrences people book afresh (those booked
    on the old dates are told it is cancelled); new details (title, place, capacity, ...) move
    the later occurrences and their bookings to the new series, so everyone booked on them gets
    an updated invite (same UID, higher SEQUENCE) that agrees with their feed. Returns the
    series that holds the dates from the cut."""
    principal.require("community:manage")
    current = await get_series(principal, series_id)
    fields = {f: getattr(change, f) for f in change.__struct_fields__ if f != "from_date"}
    fields = {k: v for k, v in fields.items() if not _unset(v)}
    if not fields:
        raise InvalidInput("Nothing to change: send at least one field besides from_date.")
    cut = london(datetime.combine(change.from_date, time(0, 0)))
    timing = {"rrule", "start_time", "end_time"} & fields.keys()
    async with transaction():
        if timing:
            new_id = await _split_series(principal, current, fields, change.from_date, cut)
            await audit.record(principal, "split", "event_series", series_id, new_series=str(new_id))
            return await get_series(principal, new_id)
        if cut <= current.first_start:
            await _change_details(series_id, fields, cut)
            await audit.record(principal, "update", "event_series", series_id, fields=sorted(fields))
            return await get_series(principal, series_id)
        new_id = await _split_details(principal, current, fields, cut)
        await audit.record(principal, "split", "event_series", series_id, new_series=str(new_id),
                           fields=sorted(fields))
    return await get_series(principal, new_id)


def _unset(value: Any) -> bool:
    from msgspec import UNSET

    return value is UNSET


async def _change_details(series_id: UUID, fields: dict[str, Any], cut: datetime) -> None:
    forget_fingerprints()
    series_values = {getattr(EventSeries, k): v for k, v in fields.items()}
    series_values.update({EventSeries.sequence: EventSeries.sequence + 1, EventSeries.updated_at: now()})
    await EventSeries.update(series_values).where(EventSeries.id == series_id)
    occurrence_values: dict[Any, Any] = {Occurrence.sequence: Occurrence.sequence + 1, Occurrence.updated_at: now()}
    if "capacity" in fields:
        occurrence_values[Occurrence.capacity] = fields["capacity"]
    if "location" in fields:
        occurrence_values[Occurrence.location] = None  # the series' new place applies
    affected = await Occurrence.select(Occurrence.id).where(
        (Occurrence.series == series_id) & (Occurrence.original_start >= cut) & (Occurrence.status == "scheduled")
    ).output(as_list=True)
    if affected:
        await Occurrence.update(occurrence_values).where(Occurrence.id.is_in(affected))
    for occurrence_id in affected:
        await _bump_bookings(occurrence_id)
        if "capacity" in fields:
            from peerwork.community.bookings import fill_from_waitlist

            await fill_from_waitlist(occurrence_id)
        await notify.occurrence_changed(occurrence_id)


def _rule_from(current: SeriesOut, first: datetime) -> str:
    """The series' rule for its dates from ``first`` on: a COUNT would restart at the cut, so it
    becomes an UNTIL at the last date the old rule had."""
    parts = current.rrule.split(";")
    if not any(p.startswith("COUNT=") for p in parts):
        return current.rrule
    starts = starts_between(current.first_start, current.rrule, first, first + timedelta(days=366 * 100))
    until = starts[-1].astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return ";".join([*(p for p in parts if not p.startswith("COUNT=")), f"UNTIL={until}"])


async def _split_details(principal: Principal, current: SeriesOut, fields: dict[str, Any], cut: datetime) -> UUID:
    """New details from ``cut``: the dates from the cut move to a new series with the same
    times and rule and the new details; the occurrences keep their ids (the invites' UIDs) and
    bookings, with a higher SEQUENCE and an updated invite for everyone booked."""
    forget_fingerprints()
    later_starts = starts_between(current.first_start, current.rrule, cut, cut + timedelta(days=800))
    if not later_starts:
        raise InvalidInput("from_date: the series has no dates on or after it")
    first = later_starts[0]
    values = {f: fields.get(f, getattr(current, f)) for f in (
        "kind", "title", "description", "capacity", "location", "online_link", "visibility",
        "booking_cutoff_minutes", "status")}
    new = EventSeries(organisation=principal.organisation_id, rrule=_rule_from(current, first), first_start=first,
                      duration_minutes=current.duration_minutes, **values)
    await new.save()
    for account_id in await SeriesFacilitator.select(SeriesFacilitator.account).where(
        SeriesFacilitator.series == current.id
    ).output(as_list=True):
        await SeriesFacilitator(series=new.id, account=account_id).save()
    await EventSeries.update({
        EventSeries.rrule: until_before(current.rrule, cut), EventSeries.sequence: EventSeries.sequence + 1,
        EventSeries.updated_at: now(),
    }).where(EventSeries.id == current.id)
    scheduled = await Occurrence.select(Occurrence.id).where(
        (Occurrence.series == current.id) & (Occurrence.original_start >= cut) & (Occurrence.status == "scheduled")
    ).output(as_list=True)
    # Cancelled dates move too: they stay cancelled (EXDATEs) in the new series.
    await Occurrence.update({Occurrence.series: new.id}).where(
        (Occurrence.series == current.id) & (Occurrence.original_start >= cut)
    )
    occurrence_values: dict[Any, Any] = {Occurrence.sequence: Occurrence.sequence + 1, Occurrence.updated_at: now()}
    if "capacity" in fields:
        occurrence_values[Occurrence.capacity] = fields["capacity"]
    if "location" in fields:
        occurrence_values[Occurrence.location] = None  # the series' new place applies
    if scheduled:
        await Occurrence.update(occurrence_values).where(Occurrence.id.is_in(scheduled))
    for occurrence_id in scheduled:
        await _bump_bookings(occurrence_id)
        if "capacity" in fields:
            from peerwork.community.bookings import fill_from_waitlist

            await fill_from_waitlist(occurrence_id)
        await notify.occurrence_changed(occurrence_id)
    await materialise(new.id)
    return new.id


async def _split_series(
    principal: Principal, current: SeriesOut, fields: dict[str, Any], from_date: date, cut: datetime
) -> UUID:
    first_local = current.first_start.astimezone(LONDON)
    start_time = fields.get("start_time", first_local.time())
    end_default = (first_local + timedelta(minutes=current.duration_minutes)).time()
    end_time = fields.get("end_time", end_default)
    data = SeriesIn(
        kind=current.kind, title=fields.get("title", current.title), rrule=fields.get("rrule", current.rrule),
        start_date=from_date, start_time=start_time, end_time=end_time,
        capacity=fields.get("capacity", current.capacity), description=fields.get("description", current.description),
        location=fields.get("location", current.location), online_link=fields.get("online_link", current.online_link),
        visibility=current.visibility, booking_cutoff_minutes=current.booking_cutoff_minutes,
        facilitator_ids=await SeriesFacilitator.select(SeriesFacilitator.account).where(
            SeriesFacilitator.series == current.id
        ).output(as_list=True),
    )
    await EventSeries.update({
        EventSeries.rrule: until_before(current.rrule, cut), EventSeries.sequence: EventSeries.sequence + 1,
        EventSeries.updated_at: now(),
    }).where(EventSeries.id == current.id)
    later = await Occurrence.select(Occurrence.id).where(
        (Occurrence.series == current.id) & (Occurrence.original_start >= cut) & (Occurrence.status == "scheduled")
    ).output(as_list=True)
    for occurrence_id in later:
        await Occurrence.update({
            Occurrence.status: "cancelled", Occurrence.sequence: Occurrence.sequence + 1, Occurrence.updated_at: now(),
        }).where(Occurrence.id == occurrence_id)
        await _bump_bookings(occurrence_id)
        await notify.occurrence_cancelled(occurrence_id, "The series has new times from this date; please book again.")
    new = await create_series(principal, data)
    return new.id


async def close_series(principal: Principal, series_id: UUID) -> None:
    """Stop a series: no new occurrences; future ones are cancelled and bookers told."""
    await get_series(principal, series_id)
    principal.require("community:manage")
    async with transaction():
        await EventSeries.update({EventSeries.status: "closed", EventSeries.updated_at: now(),
                                  EventSeries.sequence: EventSeries.sequence + 1}).where(EventSeries.id == series_id)
        future = await Occurrence.select(Occurrence.id).where(
            (Occurrence.series == series_id) & (Occurrence.start > now()) & (Occurrence.status == "scheduled")
        ).output(as_list=True)
        for occurrence_id in future:
            await Occurrence.update({Occurrence.status: "cancelled", Occurrence.sequence: Occurrence.sequence + 1,
                                     Occurrence.updated_at: now()}).where(Occurrence.id == occurrence_id)
            await _bump_bookings(occurrence_id)
            await notify.occurrence_cancelled(occurrence_id, "This series has ended.")
        await audit.record(principal, "close", "event_series", series_id)

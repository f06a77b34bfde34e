"""Booking places: capacity never exceeded, first come first served, atomic promotion.

Every change to one occurrence's bookings happens while holding that occurrence's row lock
(``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite has one writer, taken up front by an
IMMEDIATE transaction), so concurrent requests on several app instances queue up in order.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4
from weakref import WeakValueDictionary

from peerwork.community import notify
from peerwork.community.schemas import AttendeeOut, BookingOut, OccurrenceOut
from peerwork.community.tables import Booking, EventSeries, Occurrence, SeriesFacilitator
from peerwork.calendar import delivery
from peerwork.core.db import current_engine, is_postgres, named, transaction
from peerwork.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from peerwork.core import audit
from peerwork.core.access import Principal
from peerwork.core.tenancy import network_partners
from peerwork.core.tables import Account, Organisation
from peerwork.core.time import now



async def visible_condition(principal: Principal):
    """Occurrences the caller may see: their organisation's, and network-wide ones of partners."""
    partners = await network_partners(principal.organisation_id)
    condition = Occurrence.organisation == principal.organisation_id
    if partners:
        condition |= Occurrence.organisation.is_in(list(partners)) & (Occurrence.series.visibility == "network")
    return condition


async def _lock_occurrence(occurrence_id: UUID) -> None:
    if is_postgres(current_engine()):
        await Occurrence.raw("SELECT id FROM occurrence WHERE id = {} FOR UPDATE", occurrence_id)


_queues: WeakValueDictionary[UUID, asyncio.Lock] = WeakValueDictionary()


def _queue_for(occurrence_id: UUID) -> asyncio.Lock:
    """Requests for one occurrence on this instance queue here, before taking a database
    connection: otherwise a rush on one session ties up the whole pool waiting on its row lock
    and every other request on the instance waits too. The row lock still orders instances."""
    queue = _queues.get(occurrence_id)
    if queue is None:
        queue = _queues[occurrence_id] = asyncio.Lock()
    return queue


async def _places(occurrence_id: UUID) -> tuple[int, int]:
    """(confirmed places, last queue position) in one round trip."""
    rows = await Booking.raw(
        "SELECT COALESCE(SUM(CASE WHEN status = 'confirmed' THEN 1 ELSE 0 END), 0) AS confirmed, "
        "COALESCE(MAX(queue_position), 0) AS last FROM booking WHERE occurrence = {}", occurrence_id)
    return int(rows[0]["confirmed"]), int(rows[0]["last"])


async def _visible_occurrence(principal: Principal, occurrence_id: UUID) -> dict[str, Any]:
    row = await Occurrence.select(
        Occurrence.all_columns(), Occurrence.series.booking_cutoff_minutes, Occurrence.series.title,
    ).where((Occurrence.id == occurrence_id) & await visible_condition(principal)).first()
    if row is None:
        raise NotFound("No such occurrence.")
    return row


async def _waitlist_position(occurrence_id: UUID, queue_position: int) -> int:
    return await Booking.count().where(
        (Booking.occurrence == occurrence_id) & (Booking.status == "waitlisted")
        & (Booking.queue_position <= queue_position)
    )


async def booking_out(row: dict[str, Any]) -> BookingOut:
    position = None
    if row["status"] == "waitlisted":
        position = await _waitlist_position(row["occurrence"], row["queue_position"])
    return BookingOut(id=row["id"], occurrence_id=row["occurrence"], status=row["status"],
                      waitlist_position=position, attended=row["attended"], sequence=row["sequence"])


async def book(principal: Principal, occurrence_id: UUID) -> BookingOut:
    """Book a place: confirmed while places remain, else waitlisted at the back of the queue.
    Booking again while holding a place or a queue position changes nothing."""
    principal.require("community:book")
    occurrence = await _visible_occurrence(principal, occurrence_id)  # 404 before queueing
    _check_open(occurrence)
    mine = Booking.select().where((Booking.occurrence == occurrence_id) & (Booking.account == principal.account_id))
    existing = await mine.first()
    if existing and existing["status"] in ("confirmed", "waitlisted"):
        return await booking_out(existing)
    if is_postgres(current_engine()) and existing is None:
        made = await _book_new(principal, occurrence_id)
        if made is not None:
            return made
        existing = await mine.first()  # they booked meanwhile (another tab, another instance)
        if existing and existing["status"] in ("confirmed", "waitlisted"):
            return await booking_out(existing)
    async with _queue_for(occurrence_id), transaction():
        await _lock_occurrence(occurrence_id)
        occurrence = await _visible_occurrence(principal, occurrence_id)
        _check_open(occurrence)
        existing = await mine.first()
        if existing and existing["status"] in ("confirmed", "waitlisted"):
            return await booking_out(existing)
        confirmed, last = await _places(occurrence_id)
        status = "confirmed" if confirmed < occurrence["capacity"] else "waitlisted"
        position = last + 1
        if existing:
            await Booking.update({
                Booking.status: status, Booking.queue_position: position, Booking.attended: None,
                Booking.sequence: Booking.sequence + 1, Booking.updated_at: now(),
            }).where(Booking.id == existing["id"])
            booking_id = existing["id"]
        else:
            booking = Booking(occurrence=occurrence_id, account=principal.account_id,
                              organisation=principal.organisation_id, status=status, queue_position=position)
            await booking.save()
            booking_id = booking.id
        await notify.booking_changed(booking_id)
        await audit.record(principal, "create", "booking", booking_id, status=status)
        row = await Booking.select().where(Booking.id == booking_id).first()
        return await booking_out(row)


# A first booking on PostgreSQL, in as few round trips under the row lock as the guarantees allow:
# the lock, which also reads what the email needs; one statement that counts the places, appends
# the booking to the queue and reads the person's email address and calendar choice; one that
# writes the email and the audit entry (plus, for a held place, recording its invite); COMMIT.
# The count cannot share the lock's statement: that statement's snapshot predates the wait, so
# it would miss the bookings committed by those queued ahead.
_LOCKED = (
    'SELECT o.capacity, o.status, o.start, o."end", o.location, o.original_start, o.updated_at, '
    "o.organisation AS host, s.booking_cutoff_minutes, s.title, s.description, s.location AS series_location, "
    "s.online_link, s.visibility, org.name AS organisation_name "
    "FROM occurrence o JOIN event_series s ON s.id = o.series JOIN organisation org ON org.id = o.organisation "
    "WHERE o.id = {occurrence} FOR UPDATE OF o"
)
_APPEND = (
    "WITH queue AS (SELECT COUNT(*) FILTER (WHERE status = 'confirmed') AS confirmed, "
    "COUNT(*) FILTER (WHERE status = 'waitlisted') AS waitlisted, COALESCE(MAX(queue_position), 0) AS last "
    "FROM booking WHERE occurrence = {occurrence}), "
    "made AS (INSERT INTO booking (id, occurrence, account, organisation, status, queue_position, attended, "
    "sequence, created_at, updated_at, invite_state, reply_selector, reply_verifier) "
    "SELECT {id}, {occurrence}, {account}, {organisation}, "
    "CASE WHEN queue.confirmed < {capacity} THEN 'confirmed' ELSE 'waitlisted' END, queue.last + 1, NULL, 0, "
    "{at}, {at}, NULL, NULL, NULL FROM queue "
    "WHERE NOT EXISTS (SELECT 1 FROM booking WHERE occurrence = {occurrence} AND account = {account}) "
    "RETURNING status, queue_position, sequence, updated_at) "
    "SELECT made.*, queue.waitlisted, a.email, a.display_name, "
    "(SELECT calendar_delivery FROM community_preference WHERE account = {account}) AS calendar_delivery, "
    "EXISTS (SELECT 1 FROM calendar_feed WHERE account = {account} AND revoked_at IS NULL) AS has_live_feed "
    "FROM made, queue, account a WHERE a.id = {account}"
)


async def _book_new(principal: Principal, occurrence_id: UUID) -> BookingOut | None:
    """Book a first place on PostgreSQL; None if the person has a booking row there after all
    (then the general path takes over)."""
    partners = await network_partners(principal.organisation_id)
    async with _queue_for(occurrence_id), transaction():
        sql, args = named(_LOCKED, occurrence=occurrence_id)
        rows = await Occurrence.raw(sql, *args)
        if not rows:
            raise NotFound("No such occurrence.")
        o = rows[0]
        if o["host"] != principal.organisation_id and not (o["host"] in partners and o["visibility"] == "network"):
            raise NotFound("No such occurrence.")
        _check_open({"status": o["status"], "start": o["start"],
                     "series.booking_cutoff_minutes": o["booking_cutoff_minutes"]})
        booking_id, at = uuid4(), now()
        sql, args = named(_APPEND, occurrence=occurrence_id, id=booking_id, account=principal.account_id,
                          organisation=principal.organisation_id, capacity=o["capacity"], at=at)
        rows = await Booking.raw(sql, *args)
        if not rows:
            return None
        b = rows[0]
        context = {
            "id": booking_id, "account": principal.account_id, "status": b["status"], "sequence": b["sequence"],
            "updated_at": b["updated_at"], "queue_position": b["queue_position"], "occurrence": occurrence_id,
            "account.email": b["email"], "account.display_name": b["display_name"],
            "organisation": principal.organisation_id, "occurrence.start": o["start"], "occurrence.end": o["end"],
            "occurrence.updated_at": o["updated_at"], "occurrence.location": o["location"],
            "occurrence.original_start": o["original_start"], "occurrence.series.title": o["title"],
            "occurrence.series.description": o["description"], "occurrence.series.location": o["series_location"],
            "occurrence.series.online_link": o["online_link"],
            "occurrence.organisation.name": o["organisation_name"], "occurrence.status": o["status"],
            "invite_state": None, "reply_selector": None, "reply_verifier": None,
        }
        # Last in the queue: behind everyone waiting before, so one more than they are.
        position = int(b["waitlisted"]) + 1 if b["status"] == "waitlisted" else None
        await notify.booking_made(
            context, choice=(b["calendar_delivery"] or delivery.DEFAULT, bool(b["has_live_feed"])),
            waitlist_position=position,
            audit_entry=audit.entry(principal, "create", "booking", booking_id, status=b["status"]),
        )
        return BookingOut(id=booking_id, occurrence_id=occurrence_id, status=b["status"],
                          waitlist_position=position, attended=None, sequence=b["sequence"])


def _check_open(occurrence: dict[str, Any]) -> None:
    if occurrence["status"] != "scheduled":
        raise Conflict("This occurrence has been cancelled.")
    cutoff = occurrence["start"] - timedelta(minutes=occurrence["series.booking_cutoff_minutes"])
    if now() >= cutoff:
        raise Conflict("Booking for this occurrence has closed.")


async def cancel(principal: Principal, booking_id: UUID) -> BookingOut:
    """Give up a place (or a queue position). The first in the queue gets the freed place."""
    principal.require("community:book")
    row = await Booking.select(Booking.occurrence).where(
        (Booking.id == booking_id) & (Booking.account == principal.account_id)
    ).first()
    if row is None:
        raise NotFound("No such booking.")
    async with _queue_for(row["occurrence"]), transaction():
        await _lock_occurrence(row["occurrence"])
        booking = await Booking.select().where(Booking.id == booking_id).first()
        if booking["status"] == "cancelled":
            return await booking_out(booking)
        await Booking.update({Booking.status: "cancelled", Booking.sequence: Booking.sequence + 1,
                              Booking.updated_at: now()}).where(Booking.id == booking_id)
        await notify.booking_cancelled(booking_id, was_confirmed=booking["status"] == "confirmed")
        await fill_from_waitlist(booking["occurrence"])
        await audit.record(principal, "cancel", "booking", booking_id)
        return await booking_out(await Booking.select().where(Booking.id == booking_id).first())


async def fill_from_waitlist(occurrence_id: UUID) -> list[UUID]:
    """Promote the front of the queue into free places. Call holding the occurrence lock."""
    occurrence = await Occurrence.select(Occurrence.capacity, Occurrence.status, Occurrence.start).where(
        Occurrence.id == occurrence_id
    ).first()
    if occurrence["status"] != "scheduled" or occurrence["start"] <= now():
        return []
    confirmed = await Booking.count().where((Booking.occurrence == occurrence_id) & (Booking.status == "confirmed"))
    free = occurrence["capacity"] - confirmed
    if free <= 0:
        return []
    promoted = await Booking.select(Booking.id).where(
        (Booking.occurrence == occurrence_id) & (Booking.status == "waitlisted")
    ).order_by(Booking.queue_position).limit(free).output(as_list=True)
    for booking_id in promoted:
        await Booking.update({Booking.status: "confirmed", Booking.sequence: Booking.sequence + 1,
                              Booking.updated_at: now()}).where(Booking.id == booking_id)
        await notify.booking_changed(booking_id, promoted=True)
    return promoted


async def upcoming(principal: Principal, *, days: int = 90, kind: str | None = None) -> list[OccurrenceOut]:
    principal.require("community:read")
    condition = await visible_condition(principal)
    condition &= (Occurrence.end > now()) & (Occurrence.start < now() + timedelta(days=days))
    if kind:
        condition &= Occurrence.series.kind == kind
    return await _listed(principal, condition, limit=500)


async def get_occurrence(principal: Principal, occurrence_id: UUID) -> OccurrenceOut:
    principal.require("community:read")
    await _visible_occurrence(principal, occurrence_id)
    return (await _listed(principal, Occurrence.id == occurrence_id))[0]


async def _listed(principal: Principal, condition, limit: int | None = None) -> list[OccurrenceOut]:
    query = Occurrence.select(
        Occurrence.id, Occurrence.series, Occurrence.organisation.name, Occurrence.series.kind,
        Occurrence.series.title, Occurrence.start, Occurrence.end, Occurrence.original_start, Occurrence.location,
        Occurrence.series.location, Occurrence.series.online_link, Occurrence.capacity, Occurrence.status,
        Occurrence.series.booking_cutoff_minutes,
    ).where(condition).order_by(Occurrence.start)
    return await _with_counts(principal, await (query.limit(limit) if limit else query))


async def _with_counts(principal: Principal, rows: list[dict[str, Any]]) -> list[OccurrenceOut]:
    ids = [r["id"] for r in rows]
    counts: dict[tuple[UUID, str], int] = {}
    mine: dict[UUID, dict] = {}
    if ids:
        for c in await Booking.raw(
            "SELECT occurrence, status, COUNT(*) AS n FROM booking WHERE occurrence IN ({}) GROUP BY occurrence, status"
            .format(", ".join("{}" for _ in ids)), *ids,
        ):
            counts[(UUID(str(c["occurrence"])), c["status"])] = c["n"]
        for b in await Booking.select().where(Booking.occurrence.is_in(ids) & (Booking.account == principal.account_id)):
            mine[b["occurrence"]] = b
    result = []
    for r in rows:
        my = mine.get(r["id"])
        result.append(OccurrenceOut(
            id=r["id"], series_id=r["series"], organisation=r["organisation.name"], kind=r["series.kind"],
            title=r["series.title"], start=r["start"], end=r["end"],
            location=r["location"] or r["series.location"], online_link=r["series.online_link"],
            capacity=r["capacity"], confirmed=counts.get((r["id"], "confirmed"), 0),
            waitlisted=counts.get((r["id"], "waitlisted"), 0), status=r["status"],
            moved=r["start"] != r["original_start"],
            booking_open=r["status"] == "scheduled"
            and now() < r["start"] - timedelta(minutes=r["series.booking_cutoff_minutes"]),
            my_booking=await booking_out(my) if my and my["status"] != "cancelled" else None,
        ))
    return result


async def my_bookings(principal: Principal) -> list[tuple[OccurrenceOut, BookingOut]]:
    ids = await Booking.select(Booking.occurrence).where(
        (Booking.account == principal.account_id) & (Booking.status != "cancelled")
        & (Booking.occurrence.end > now())
    ).output(as_list=True)
    if not ids:
        return []
    occurrences = await _listed(principal, Occurrence.id.is_in(ids))
    return [(o, o.my_booking) for o in occurrences]


async def _may_mark_attendance(principal: Principal, occurrence: dict[str, Any]) -> None:
    if occurrence["organisation"] == principal.organisation_id and principal.can("community:attendance"):
        return
    if await SeriesFacilitator.exists().where(
        (SeriesFacilitator.series == occurrence["series"]) & (SeriesFacilitator.account == principal.account_id)
    ):
        return
    raise PermissionDenied("Only the facilitators and peer leads mark attendance.")


async def attendees(principal: Principal, occurrence_id: UUID) -> list[AttendeeOut]:
    occurrence = await _visible_occurrence(principal, occurrence_id)
    await _may_mark_attendance(principal, occurrence)
    rows = await Booking.select(
        Booking.id, Booking.status, Booking.attended, Booking.account.display_name, Booking.organisation.name,
    ).where((Booking.occurrence == occurrence_id) & (Booking.status != "cancelled")).order_by(Booking.queue_position)
    await audit.record(principal, "read", "booking", occurrence_id, fields=["attendees"])
    return [AttendeeOut(booking_id=r["id"], name=r["account.display_name"], organisation=r["organisation.name"],
                        status=r["status"], attended=r["attended"]) for r in rows]


async def mark_attendance(principal: Principal, booking_id: UUID, attended: bool) -> AttendeeOut:
    row = await Booking.select(Booking.occurrence, Booking.status).where(Booking.id == booking_id).first()
    if row is None:
        raise NotFound("No such booking.")
    occurrence = await _visible_occurrence(principal, row["occurrence"])
    await _may_mark_attendance(principal, occurrence)
    if occurrence["start"] > now():
        raise InvalidInput("Attendance can be marked once the occurrence has started.")
    if row["status"] != "confirmed":
        raise InvalidInput("Only confirmed places can be marked attended.")
    await Booking.update({Booking.attended: attended, Booking.updated_at: now()}).where(Booking.id == booking_id)
    await audit.record(principal, "update", "booking", booking_id, fields=["attended"])
    return next(a for a in await attendees(principal, row["occurrence"]) if a.booking_id == booking_id)


__all__ = ["Account", "EventSeries", "Organisation"]

"""Booking places: capacity never exceeded, first come first served, atomic promotion.

Every change to one occurrence's bookings happens while holding that occurrence's row lock
(``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite has one writer, taken up front by an
IMMEDIATE transaction), so concurrent requests on several app instances queue up in order.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
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
from peerwork.core.mail.outbox import enqueue_all
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
        Occurrence.series.kind,
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


async def take_place(occurrence_id: UUID, existing: dict[str, Any] | None, account_id: UUID,
                     organisation_id: UUID, status: str, position: int) -> UUID:
    """Hold ``status`` at ``position`` for the person: a new booking row, or their earlier
    (cancelled) one taken up again with its SEQUENCE raised so calendars replace the old copy."""
    if existing:
        await Booking.update({
            Booking.status: status, Booking.queue_position: position, Booking.attended: None,
            Booking.sequence: Booking.sequence + 1, Booking.updated_at: now(),
        }).where(Booking.id == existing["id"])
        return existing["id"]
    booking = Booking(occurrence=occurrence_id, account=account_id, organisation=organisation_id,
                      status=status, queue_position=position)
    await booking.save()
    return booking.id


async def book(principal: Principal, occurrence_id: UUID) -> BookingOut:
    """Book a place: confirmed while places remain, else waitlisted at the back of the queue.
    Booking again while holding a place or a queue position changes nothing."""
    principal.require("community:book")
    if is_postgres(current_engine()):
        # Checks visibility, opening and an existing booking itself, under the lock.
        made = await _book_new(principal, occurrence_id)
        if made is not None:
            return made
    occurrence = await _visible_occurrence(principal, occurrence_id)  # 404 before queueing
    _check_open(occurrence)
    mine = Booking.select().where((Booking.occurrence == occurrence_id) & (Booking.account == principal.account_id))
    existing = await mine.first()
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
        booking_id = await take_place(occurrence_id, existing, principal.account_id, principal.organisation_id,
                                      status, position)
        await notify.booking_changed(booking_id)
        await audit.record(principal, "create", "booking", booking_id, status=status)
        row = await Booking.select().where(Booking.id == booking_id).first()
        return await booking_out(row)


# Bookings on PostgreSQL, taken together. Requests for one occurrence on this instance
# wait in a list; whoever holds the instance's queue for that occurrence books everyone waiting,
# in arrival order, in one transaction under the row lock: the lock (which also reads what the
# emails need and the host's network partners), one statement that counts the places and
# appends them all to the queue, one that writes their emails and audit entries, one more when
# places were given (their invites' state and reply tokens), then COMMIT. A rush of 500 costs a
# handful of transactions instead of 500 of ~12 round trips each, and every guarantee holds:
# the row lock still orders instances, the queue has no gaps, each booking commits with its
# email and its audit entry. The count cannot share the lock's statement: that statement's
# snapshot predates the wait, so it would miss the bookings committed by those queued ahead.
_LOCKED = (
    'SELECT o.capacity, o.status, o.start, o."end", o.location, o.original_start, o.updated_at, '
    "o.organisation AS host, s.booking_cutoff_minutes, s.title, s.description, s.location AS series_location, "
    "s.online_link, s.visibility, s.kind, org.name AS organisation_name, "
    "ARRAY(SELECT theirs.organisation FROM network_membership ours JOIN network_membership theirs "
    "ON theirs.network = ours.network WHERE ours.organisation = o.organisation) AS partners "
    "FROM occurrence o JOIN event_series s ON s.id = o.series JOIN organisation org ON org.id = o.organisation "
    "WHERE o.id = {occurrence} FOR UPDATE OF o"
)
_APPEND = (
    "WITH queue AS (SELECT COUNT(*) FILTER (WHERE status = 'confirmed') AS confirmed, "
    "COUNT(*) FILTER (WHERE status = 'waitlisted') AS waitlisted, COALESCE(MAX(queue_position), 0) AS last "
    "FROM booking WHERE occurrence = {occurrence}), "
    "asked AS (SELECT * FROM unnest({ids}::uuid[], {accounts}::uuid[], {organisations}::uuid[]) "
    "WITH ORDINALITY AS a(id, account, organisation, arrival)), "
    # Someone holding a place or a queue position here already is left to the general path
    # (which answers with it); the rest take the next places in arrival order, in a new row or,
    # if they cancelled before, in their old one (its invite SEQUENCE keeps rising).
    "fresh AS (SELECT asked.*, ROW_NUMBER() OVER (ORDER BY arrival) AS k, held.id AS held_id FROM asked "
    "LEFT JOIN booking held ON held.occurrence = {occurrence} AND held.account = asked.account "
    "WHERE held.id IS NULL OR held.status = 'cancelled'), "
    "made AS (INSERT INTO booking (id, occurrence, account, organisation, status, queue_position, attended, "
    "sequence, created_at, updated_at, invite_state, reply_selector, reply_verifier) "
    "SELECT fresh.id, {occurrence}, fresh.account, fresh.organisation, "
    "CASE WHEN queue.confirmed + fresh.k <= {capacity} THEN 'confirmed' ELSE 'waitlisted' END, "
    "queue.last + fresh.k, NULL, 0, {at}, {at}, NULL, NULL, NULL FROM fresh, queue WHERE fresh.held_id IS NULL "
    "RETURNING id, account, status, queue_position, sequence, updated_at, invite_state, reply_selector, "
    "reply_verifier), "
    "again AS (UPDATE booking SET "
    "status = CASE WHEN queue.confirmed + fresh.k <= {capacity} THEN 'confirmed' ELSE 'waitlisted' END, "
    "queue_position = queue.last + fresh.k, attended = NULL, sequence = booking.sequence + 1, updated_at = {at} "
    "FROM fresh, queue WHERE booking.id = fresh.held_id "
    "RETURNING booking.id, booking.account, booking.status, booking.queue_position, booking.sequence, "
    "booking.updated_at, booking.invite_state, booking.reply_selector, booking.reply_verifier), "
    "booked AS (SELECT * FROM made UNION ALL SELECT * FROM again) "
    "SELECT booked.*, queue.waitlisted AS waiting_before, a.email, a.display_name, "
    "(SELECT calendar_delivery FROM community_preference p WHERE p.account = booked.account) AS calendar_delivery, "
    "EXISTS (SELECT 1 FROM calendar_feed f WHERE f.account = booked.account AND f.revoked_at IS NULL) "
    "AS has_live_feed FROM booked JOIN account a ON a.id = booked.account, queue ORDER BY booked.queue_position"
)
_INVITED = (
    "UPDATE booking SET invite_state = v.state, reply_selector = COALESCE(v.selector, booking.reply_selector), "
    "reply_verifier = COALESCE(v.verifier, booking.reply_verifier) "
    "FROM unnest({ids}::uuid[], {states}::text[], {selectors}::text[], {verifiers}::text[]) "
    "AS v(id, state, selector, verifier) WHERE booking.id = v.id"
)
_MOST_AT_ONCE = 250  # bookings per transaction: bounds the statements' size


@dataclass
class _Asked:
    principal: Principal
    answer: asyncio.Future  # BookingOut, None (for the general path) or an error


_asking: dict[UUID, list[_Asked]] = {}


async def _book_new(principal: Principal, occurrence_id: UUID) -> BookingOut | None:
    """Book a place on PostgreSQL, together with everyone else asking on this instance; None
    when the person holds one already or asked twice at once (the general path answers)."""
    asked = _Asked(principal, asyncio.get_running_loop().create_future())
    _asking.setdefault(occurrence_id, []).append(asked)
    async with _queue_for(occurrence_id):
        while not asked.answer.done():
            waiting = _asking.get(occurrence_id, [])
            if not waiting:
                break  # another holder (a test's "instance") took this request: it answers
            batch, rest = waiting[:_MOST_AT_ONCE], waiting[_MOST_AT_ONCE:]
            if rest:
                _asking[occurrence_id] = rest
            else:
                _asking.pop(occurrence_id, None)
            # Shielded: if this request goes away, the others it is booking for still get booked.
            await asyncio.shield(_answer_all(occurrence_id, batch))
    return await asked.answer


async def _answer_all(occurrence_id: UUID, batch: list[_Asked]) -> None:
    try:
        answers = await _book_together(occurrence_id, [a.principal for a in batch])
    except Exception as error:  # nothing committed: each of them is told
        for a in batch:
            if not a.answer.done():
                a.answer.set_exception(error)
        return
    except BaseException:
        for a in batch:
            a.answer.cancel()
        raise
    for a, answer in zip(batch, answers, strict=True):
        if a.answer.done():  # its request went away (cancelled): booked all the same, like a lost reply
            continue
        if isinstance(answer, Exception):
            a.answer.set_exception(answer)
        else:
            a.answer.set_result(answer)


async def _book_together(occurrence_id: UUID, principals: list[Principal]) -> list[BookingOut | None | Exception]:
    async with transaction():
        sql, args = named(_LOCKED, occurrence=occurrence_id)
        rows = await Occurrence.raw(sql, *args)
        if not rows:
            return [NotFound("No such occurrence.") for _ in principals]
        o = rows[0]
        try:
            _check_open({"status": o["status"], "start": o["start"], "series.kind": o["kind"],
                         "series.booking_cutoff_minutes": o["booking_cutoff_minutes"]})
        except Conflict as closed:
            return [Conflict(str(closed)) for _ in principals]
        partners = {str(p) for p in o["partners"]}
        answers: list[BookingOut | None | Exception] = [None] * len(principals)
        chosen, seen = [], set()
        for i, p in enumerate(principals):
            org = str(p.organisation_id)
            if org != str(o["host"]) and not (org in partners and o["visibility"] == "network"):
                answers[i] = NotFound("No such occurrence.")
            elif p.account_id not in seen:  # the same person twice: the second gets the first's booking
                seen.add(p.account_id)
                chosen.append(i)
        if not chosen:
            return answers
        ids = {i: uuid4() for i in chosen}
        sql, args = named(
            _APPEND, occurrence=occurrence_id, capacity=o["capacity"], at=now(), ids=[ids[i] for i in chosen],
            accounts=[principals[i].account_id for i in chosen],
            organisations=[principals[i].organisation_id for i in chosen])
        made = {str(b["account"]): b for b in await Booking.raw(sql, *args)}
        messages, entries, invited = [], [], []
        waiting = None
        for i in chosen:
            b = made.get(str(principals[i].account_id))
            if b is None:
                continue  # they hold a place or a queue position already: the general path answers
            booking_id = UUID(str(b["id"]))
            position = None
            if b["status"] == "waitlisted":
                # Behind everyone waiting before this transaction and those it queued ahead.
                waiting = (int(b["waiting_before"]) if waiting is None else waiting) + 1
                position = waiting
            context = _context(occurrence_id, o, booking_id, principals[i], b)
            told = notify.booking_made(context, mode=b["calendar_delivery"] or delivery.DEFAULT,
                                       live=bool(b["has_live_feed"]), waitlist_position=position)
            messages.append(told.message)
            entries.append(audit.entry(principals[i], "create", "booking", booking_id, status=b["status"]))
            if told.invite_state != context["invite_state"] or told.reply_token is not None:
                invited.append((booking_id, told))
            answers[i] = BookingOut(id=booking_id, occurrence_id=occurrence_id, status=b["status"],
                                    waitlist_position=position, attended=None, sequence=b["sequence"])
        await enqueue_all(messages, audit_entries=entries)
        if invited:
            sql, args = named(
                _INVITED, ids=[i for i, _ in invited], states=[t.invite_state for _, t in invited],
                selectors=[t.reply_token.selector if t.reply_token else None for _, t in invited],
                verifiers=[t.reply_token.verifier if t.reply_token else None for _, t in invited])
            await Booking.raw(sql, *args)
        return answers


def _context(occurrence_id: UUID, o: dict[str, Any], booking_id: UUID, principal: Principal,
             b: dict[str, Any]) -> dict[str, Any]:
    """A booking just made, shaped as ``notify.booking_contexts()`` rows, from what is at hand."""
    return {
        "id": booking_id, "account": principal.account_id, "status": b["status"], "sequence": b["sequence"],
        "updated_at": b["updated_at"], "queue_position": b["queue_position"], "occurrence": occurrence_id,
        "account.email": b["email"], "account.display_name": b["display_name"],
        "organisation": principal.organisation_id, "occurrence.start": o["start"], "occurrence.end": o["end"],
        "occurrence.updated_at": o["updated_at"], "occurrence.location": o["location"],
        "occurrence.original_start": o["original_start"], "occurrence.series.title": o["title"],
        "occurrence.series.description": o["description"], "occurrence.series.location": o["series_location"],
        "occurrence.series.online_link": o["online_link"],
        "occurrence.organisation.name": o["organisation_name"], "occurrence.status": o["status"],
        "invite_state": b["invite_state"], "reply_selector": b["reply_selector"], "reply_verifier": b["reply_verifier"],
    }


# Series of these kinds belong to another capability that books a place on all their dates
# together (community.booking_sets): a course run's sessions are booked on the run, not one by one.
BOOKED_AS_A_SET = frozenset({"training"})


def _check_single(occurrence: dict[str, Any]) -> None:
    if occurrence.get("series.kind") in BOOKED_AS_A_SET:
        raise Conflict("This is a session of a course: book or cancel a place on the course instead.")


def _check_open(occurrence: dict[str, Any]) -> None:
    _check_single(occurrence)
    check_bookable(occurrence)


def check_bookable(occurrence: dict[str, Any]) -> None:
    """Scheduled, and before its booking cut-off."""
    if occurrence["status"] != "scheduled":
        raise Conflict("This occurrence has been cancelled.")
    cutoff = occurrence["start"] - timedelta(minutes=occurrence["series.booking_cutoff_minutes"])
    if now() >= cutoff:
        raise Conflict("Booking for this occurrence has closed.")


async def cancel(principal: Principal, booking_id: UUID) -> BookingOut:
    """Give up a place (or a queue position). The first in the queue gets the freed place."""
    principal.require("community:book")
    row = await Booking.select(Booking.occurrence, Booking.occurrence.series.kind).where(
        (Booking.id == booking_id) & (Booking.account == principal.account_id)
    ).first()
    if row is None:
        raise NotFound("No such booking.")
    _check_single({"series.kind": row["occurrence.series.kind"]})
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
    else:  # course sessions are listed on the training pages, not as reflective spaces
        condition &= Occurrence.series.kind.not_in(list(BOOKED_AS_A_SET))
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


async def mark_attendance(principal: Principal, booking_id: UUID, attended: bool, *,
                          for_the_set: bool = False) -> AttendeeOut:
    """Mark a confirmed place attended or not. A session of a set (a course run) is marked by the
    capability that owns the set (``for_the_set``), which acts on it: attending every session of a
    course records it on the person's CPD, so the spaces page must not mark it behind its back."""
    row = await Booking.select(Booking.occurrence, Booking.status).where(Booking.id == booking_id).first()
    if row is None:
        raise NotFound("No such booking.")
    occurrence = await _visible_occurrence(principal, row["occurrence"])
    if occurrence.get("series.kind") in BOOKED_AS_A_SET and not for_the_set:
        raise Conflict("This is a session of a course: mark attendance on the course's register "
                       "(My training sessions), so a course attended in full reaches the person's CPD.")
    await _may_mark_attendance(principal, occurrence)
    if occurrence["start"] > now():
        raise InvalidInput("Attendance can be marked once the occurrence has started.")
    if row["status"] != "confirmed":
        raise InvalidInput("Only confirmed places can be marked attended.")
    await Booking.update({Booking.attended: attended, Booking.updated_at: now()}).where(Booking.id == booking_id)
    await audit.record(principal, "update", "booking", booking_id, fields=["attended"])
    return next(a for a in await attendees(principal, row["occurrence"]) if a.booking_id == booking_id)


__all__ = ["Account", "EventSeries", "Organisation"]

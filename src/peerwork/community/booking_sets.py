"""Booking one person on several occurrences together, for other capabilities (a course run's
sessions): a place on every occurrence or on none, in one transaction, through the same engine
as a single booking -- the same per-occurrence queue and row lock, the same emails, invites
(REQUEST/CANCEL with a rising SEQUENCE), waiting-list promotion and audit.

Locks are taken in one fixed order (occurrence id) so two sets that overlap cannot deadlock.
Callers open ``held(...)`` and inside it call ``book_all``/``cancel_all`` together with their
own writes, which then commit or roll back with the bookings.

The status is the same on every occurrence of a set: confirmed when each has a free place, else
waitlisted on each. Occurrences booked only through sets keep equal counts and queues, so the
waiting list promotes the same person on each.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import AsyncExitStack, asynccontextmanager
from uuid import UUID

from peerwork.community import notify
from peerwork.community.bookings import (
    _lock_occurrence,
    _places,
    _queue_for,
    booking_out,
    check_bookable,
    fill_from_waitlist,
    take_place,
)
from peerwork.community.schemas import BookingOut
from peerwork.community.tables import Booking, Occurrence
from peerwork.core import audit
from peerwork.core.access import Principal
from peerwork.core.db import transaction
from peerwork.core.errors import NotFound
from peerwork.core.time import now


def _ordered(occurrence_ids: Iterable[UUID]) -> list[UUID]:
    return sorted(set(occurrence_ids), key=str)


@asynccontextmanager
async def held(occurrence_ids: Iterable[UUID]) -> AsyncIterator[None]:
    """Queue for every occurrence on this instance, then open one transaction holding every
    occurrence's row lock (the order single bookings take them in: queue, then transaction)."""
    ids = _ordered(occurrence_ids)
    async with AsyncExitStack() as stack:
        for occurrence_id in ids:
            await stack.enter_async_context(_queue_for(occurrence_id))
        async with transaction():
            for occurrence_id in ids:
                await _lock_occurrence(occurrence_id)
            yield


async def _active(account_id: UUID, ids: list[UUID]) -> dict[UUID, dict]:
    rows = await Booking.select().where(Booking.occurrence.is_in(ids) & (Booking.account == account_id))
    return {r["occurrence"]: r for r in rows}


async def book_all(actor: Principal, account_id: UUID, organisation_id: UUID,
                   occurrence_ids: Iterable[UUID]) -> list[BookingOut]:
    """Inside ``held``: book ``account_id`` (of ``organisation_id``, the host's) on every
    occurrence, or raise (NotFound, Conflict when one has closed) having booked none. Someone
    already holding a place or a queue position on all of them keeps it."""
    ids = _ordered(occurrence_ids)
    if not ids:
        raise NotFound("No sessions to book.")
    rows = await Occurrence.select(Occurrence.all_columns(), Occurrence.series.booking_cutoff_minutes).where(
        Occurrence.id.is_in(ids) & (Occurrence.organisation == organisation_id))
    if len(rows) != len(ids):
        raise NotFound("No such occurrence.")
    for row in rows:
        check_bookable(row)
    mine = await _active(account_id, ids)
    if all(mine.get(i, {}).get("status") in ("confirmed", "waitlisted") for i in ids):
        return [await booking_out(mine[i]) for i in ids]
    by_id = {r["id"]: r for r in rows}
    places = {i: await _places(i) for i in ids}
    free_everywhere = all(places[i][0] < by_id[i]["capacity"] for i in ids)
    status = "confirmed" if free_everywhere else "waitlisted"
    made = []
    for i in ids:
        existing = mine.get(i)
        if existing and existing["status"] in ("confirmed", "waitlisted"):
            made.append(existing["id"])
            continue
        position = places[i][1] + 1
        booking_id = await take_place(i, existing, account_id, organisation_id, status, position)
        await notify.booking_changed(booking_id)
        await audit.record(actor, "create", "booking", booking_id, status=status)
        made.append(booking_id)
    return [await booking_out(r) for r in await Booking.select().where(Booking.id.is_in(made)).order_by(
        Booking.occurrence)]


async def cancel_all(actor: Principal, account_id: UUID, occurrence_ids: Iterable[UUID]) -> int:
    """Inside ``held``: give up the person's place or queue position on every occurrence; the
    first in each queue gets the freed place. Returns how many bookings were ended."""
    ids = _ordered(occurrence_ids)
    ended = 0
    for occurrence_id, booking in sorted((await _active(account_id, ids)).items(), key=lambda kv: str(kv[0])):
        if booking["status"] == "cancelled":
            continue
        await Booking.update({Booking.status: "cancelled", Booking.sequence: Booking.sequence + 1,
                              Booking.updated_at: now()}).where(Booking.id == booking["id"])
        await notify.booking_cancelled(booking["id"], was_confirmed=booking["status"] == "confirmed")
        await fill_from_waitlist(occurrence_id)
        await audit.record(actor, "cancel", "booking", booking["id"])
        ended += 1
    return ended

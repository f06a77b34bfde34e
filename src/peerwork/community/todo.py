"""Reflective spaces on the home page: your bookings; for peer leads, spaces short of
facilitators and waiting lists."""

from __future__ import annotations

from uuid import UUID

from peerwork.community.bookings import my_bookings, upcoming
from peerwork.community.schemas import OccurrenceOut
from peerwork.community.tables import EventSeries, SeriesFacilitator
from peerwork.core.access import Principal
from peerwork.core.time import when
from peerwork.core.todo import TodoItem

SECTION = "Reflective spaces"
BOOKINGS_SHOWN = 3
LOOK_AHEAD_DAYS = 14  # far enough to find a facilitator or open more places


async def _my_bookings(principal: Principal) -> list[TodoItem]:
    items = []
    for occurrence, booking in (await my_bookings(principal))[:BOOKINGS_SHOWN]:
        if occurrence.status != "scheduled":
            continue
        if booking.status == "waitlisted":
            title = (f"You are number {booking.waitlist_position} on the waiting list for {occurrence.title}: "
                     f"{when(occurrence.start, occurrence.end)}")
        else:
            title = f"You are booked on {occurrence.title}: {when(occurrence.start, occurrence.end)}"
        items.append(TodoItem(kind=f"community.{booking.status}", section=SECTION, title=title,
                              href=f"/community/occurrences/{occurrence.id}", due=occurrence.start.date()))
    return items


async def _organisation_spaces(principal: Principal) -> list[TodoItem]:
    # Partners' spaces shared across the network are theirs to staff: only this organisation's.
    ours = set(await EventSeries.select(EventSeries.id).where(
        EventSeries.organisation == principal.organisation_id).output(as_list=True))
    own = [o for o in await upcoming(principal, days=LOOK_AHEAD_DAYS) if o.series_id in ours and o.status == "scheduled"]
    series = sorted({o.series_id for o in own}, key=str)
    staffed = set(await SeriesFacilitator.select(SeriesFacilitator.series).where(
        SeriesFacilitator.series.is_in(series)).output(as_list=True)) if series else set()
    items = []
    unstaffed: dict[UUID, OccurrenceOut] = {}
    for o in own:
        if o.series_id not in staffed:
            unstaffed.setdefault(o.series_id, o)  # the next date of each series without a facilitator
    for o in unstaffed.values():
        items.append(TodoItem(
            kind="community.no_facilitator", section=SECTION, priority="urgent",
            title=f"{o.title} has no facilitator: next on {when(o.start, o.end)}",
            detail="Add a facilitator or cancel the date, so no one turns up to an empty room.",
            href=f"/community/occurrences/{o.id}", due=o.start.date()))
    for o in own:
        if o.waitlisted:
            items.append(TodoItem(
                kind="community.waiting_list", section=SECTION, priority="soon", count=o.waitlisted,
                title=f"{o.waitlisted} waiting for a place at {o.title}: {when(o.start, o.end)}",
                detail=f"{o.confirmed} of {o.capacity} places taken.",
                href=f"/community/occurrences/{o.id}", due=o.start.date()))
    return items


async def todo(principal: Principal) -> list[TodoItem]:
    if not principal.can("community:read"):
        return []
    items = await _my_bookings(principal)
    if principal.can("community:manage"):
        items += await _organisation_spaces(principal)
    return items


TODO = todo

"""What a change to a space would do, before it is made: the dates it touches and who would be
emailed. The confirmation pages show this; nothing here changes anything.

Who is told follows ``notify``: cancelling a date emails everyone holding a place or a queue
position on it; new details email those with a confirmed place (an updated invite); new times
cancel the later dates, so everyone booked on them is told to book again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from uuid import UUID

from msgspec import UNSET

from peerwork.community import series as series_service
from peerwork.community.schemas import SeriesChange, SeriesOut
from peerwork.community.tables import Booking, Occurrence
from peerwork.core import audit
from peerwork.core.access import Principal
from peerwork.core.errors import InvalidInput, NotFound
from peerwork.core.time import LONDON, london, london_today, now

EVERYONE_BOOKED = ("confirmed", "waitlisted")
CHANGE_LABELS = {"title": "Title", "start_time": "Starts", "end_time": "Ends", "location": "Place", "capacity": "Places"}


@dataclass(frozen=True)
class Told:
    """How many people would be emailed, and their names when the viewer may see attendees."""

    count: int
    names: tuple[str, ...] | None


@dataclass(frozen=True)
class Impact:
    series_id: UUID
    title: str
    dates: tuple[datetime, ...]
    told: Told
    changes: tuple[tuple[str, str, str], ...] = ()  # (what, from, to)
    new_times: bool = False


async def _told(principal: Principal, occurrence_ids: list[UUID], statuses: tuple[str, ...], subject: UUID) -> Told:
    if not occurrence_ids:
        return Told(0, () if principal.can("community:attendance") else None)
    rows = await Booking.select(Booking.account, Booking.account.display_name).where(
        Booking.occurrence.is_in(occurrence_ids) & Booking.status.is_in(list(statuses)))
    people = {r["account"]: r["account.display_name"] for r in rows}
    if not principal.can("community:attendance"):
        return Told(len(people), None)
    await audit.record(principal, "read", "booking", subject, fields=["attendees"])
    return Told(len(people), tuple(sorted(people.values(), key=str.casefold)))


async def _own_occurrence(principal: Principal, occurrence_id: UUID) -> dict[str, Any]:
    principal.require("community:manage")
    row = await Occurrence.select(Occurrence.all_columns(), Occurrence.series.title).where(
        (Occurrence.id == occurrence_id) & (Occurrence.organisation == principal.organisation_id)).first()
    if row is None:
        raise NotFound("No such occurrence.")
    return row


async def cancel_date(principal: Principal, occurrence_id: UUID) -> Impact:
    """Cancelling one date: everyone booked on it, or waiting, gets an email."""
    row = await _own_occurrence(principal, occurrence_id)
    if row["status"] == "cancelled":
        raise InvalidInput("This date is already cancelled.")
    told = await _told(principal, [occurrence_id], EVERYONE_BOOKED, occurrence_id)
    return Impact(row["series"], row["series.title"], (row["start"],), told)


async def _later_dates(series_id: UUID, after: datetime, *, by_original: bool = False) -> list[dict[str, Any]]:
    column = Occurrence.original_start if by_original else Occurrence.start
    return await Occurrence.select(Occurrence.id, Occurrence.start).where(
        (Occurrence.series == series_id) & (column >= after) & (Occurrence.status == "scheduled")
    ).order_by(Occurrence.start)


async def cancel_series(principal: Principal, series_id: UUID) -> Impact:
    """Ending a series: its coming dates are cancelled and everyone booked on them is told."""
    principal.require("community:manage")
    current = await series_service.get_series(principal, series_id)
    if current.status != "open":
        raise InvalidInput("This series has already ended.")
    later = await _later_dates(series_id, now())
    told = await _told(principal, [o["id"] for o in later], EVERYONE_BOOKED, series_id)
    return Impact(series_id, current.title, tuple(o["start"] for o in later), told)


def _clock(value: time) -> str:
    return value.strftime("%H:%M")


def _describe(current: SeriesOut, change: SeriesChange) -> list[tuple[str, str, str]]:
    """The fields that really change, as (what, from, to) a person reads."""
    first = current.first_start.astimezone(LONDON)
    old = {"title": current.title, "location": current.location or "", "capacity": str(current.capacity),
           "start_time": _clock(first.time()),
           "end_time": _clock((first + timedelta(minutes=current.duration_minutes)).time())}
    changes = []
    for name, label in CHANGE_LABELS.items():
        value = getattr(change, name)
        if value is UNSET:
            continue
        new = _clock(value) if isinstance(value, time) else str(value if value is not None else "").strip()
        if new != old[name]:
            changes.append((label, old[name] or "(none)", new or "(none)"))
    return changes


def only_real_changes(current: SeriesOut, change: SeriesChange) -> SeriesChange:
    """The change without the fields the form sent back unchanged, so keeping the time as it was
    does not split the series and cancel everyone's bookings."""
    kept = {label for label, _, _ in _describe(current, change)}
    values = {f: getattr(change, f) for f in change.__struct_fields__}
    for name, label in CHANGE_LABELS.items():
        if label not in kept:
            values[name] = UNSET
    return SeriesChange(**values)


async def change_from(principal: Principal, series_id: UUID, change: SeriesChange) -> tuple[SeriesChange, Impact]:
    """Changing a series from a date onwards: what changes, the dates from then on, and who is
    told. Returns the change reduced to what really differs (what to apply on confirmation)."""
    principal.require("community:manage")
    current = await series_service.get_series(principal, series_id)
    if current.status != "open":
        raise InvalidInput("This series has ended; it cannot be changed.")
    if change.from_date < london_today():
        raise InvalidInput("from_date: choose today or a later date (dates already past keep what they had)")
    change = only_real_changes(current, change)
    changes = _describe(current, change)
    if not changes:
        raise InvalidInput("Nothing to change: give a new time, place, title or number of places.")
    first = current.first_start.astimezone(LONDON)
    start = change.start_time if change.start_time is not UNSET else first.time()
    end = change.end_time if change.end_time is not UNSET else (
        first + timedelta(minutes=current.duration_minutes)).time()
    if end <= start:
        raise InvalidInput("end_time: must be after the start time (a space ends on the day it starts)")
    new_times = change.start_time is not UNSET or change.end_time is not UNSET
    cut = london(datetime.combine(change.from_date, time(0, 0)))
    later = await _later_dates(series_id, cut, by_original=True)
    statuses = EVERYONE_BOOKED if new_times else ("confirmed",)
    told = await _told(principal, [o["id"] for o in later], statuses, series_id)
    impact = Impact(series_id, current.title, tuple(o["start"] for o in later), told, tuple(changes), new_times)
    return change, impact

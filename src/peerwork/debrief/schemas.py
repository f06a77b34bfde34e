"""API shapes for debriefs: asking, taking, the rota and the figures."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Literal
from uuid import UUID

from msgspec import Meta, Struct

Reason = Literal["difficult_shift", "incident", "racist_incident"]
REASONS: dict[str, str] = {
    "difficult_shift": "After a difficult shift",
    "incident": "After an incident",
    "racist_incident": "After a racist incident",
}


class RequestIn(Struct, forbid_unknown_fields=True):
    reason: Reason
    # Only the asker and the debriefer who takes it ever see this.
    note: Annotated[str, Meta(max_length=500)] = ""


class AcceptIn(Struct, forbid_unknown_fields=True):
    """When the private slot is (London time); left out, it starts at the next quarter hour."""

    start_date: date | None = None
    start_time: time | None = None
    minutes: Annotated[int, Meta(ge=15, le=180)] = 60


class RequestOut(Struct):
    """A request as its asker or its debriefer sees it. For a debriefer on call who has not
    taken it, ``reason``, ``note`` and ``requester`` are None: "a colleague" asked."""

    id: UUID
    day: date
    status: str  # open | accepted | cancelled | expired
    created_at: datetime
    mine: bool  # the caller asked for it
    taken_by_me: bool
    reason: str | None = None
    note: str | None = None
    requester: str | None = None
    accepted_by: str | None = None
    accepted_at: datetime | None = None
    slot_start: datetime | None = None
    slot_end: datetime | None = None
    debriefers_told: int | None = None  # on asking: how many on-call debriefers were emailed


class RotaIn(Struct, forbid_unknown_fields=True):
    day: date
    account_id: UUID


class RotaPerson(Struct):
    account_id: UUID
    name: str


class RotaEntry(Struct):
    id: UUID
    account_id: UUID
    name: str


class RotaDayOut(Struct):
    day: date
    on_call: list[RotaEntry]


class RotaWeekOut(Struct):
    start: date
    days: list[RotaDayOut]
    eligible: list[RotaPerson]


class MonthFigures(Struct):
    """One month, no names: counts under 5 read "<5", and then the rates are withheld."""

    month: str  # YYYY-MM
    requests: int | str
    accepted: int | str
    median_minutes_to_accept: float | None
    answered_within_hour: float | None  # share of the month's requests accepted within an hour


class FiguresOut(Struct):
    months: list[MonthFigures]

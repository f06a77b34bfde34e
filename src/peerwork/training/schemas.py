"""API shapes for training: the trainer pool, course runs, places and approvals."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Literal
from uuid import UUID

from msgspec import Meta, Struct

from peerwork.core.schema import WebLink

Delivery = Literal["in_person", "online"]
# How a short series repeats: every day, every week or every other week.
Every = Literal["day", "week", "fortnight"]


class TrainerIn(Struct, forbid_unknown_fields=True):
    account_id: UUID
    accredited_on: date
    accreditation: Annotated[str, Meta(max_length=1000)] = ""
    active: bool = True


class TrainerOut(Struct):
    id: UUID
    account_id: UUID
    name: str
    accredited_on: date
    accreditation: str
    active: bool


class RunIn(Struct, forbid_unknown_fields=True):
    """A course delivered as ``sessions`` dated sessions from ``start_date``, repeating
    ``every`` day, week or fortnight (one session: a one-off)."""

    course_id: UUID
    start_date: date
    start_time: time
    end_time: time
    capacity: Annotated[int, Meta(ge=1, le=1000)]
    delivery: Delivery = "in_person"
    sessions: Annotated[int, Meta(ge=1, le=12)] = 1
    every: Every = "week"
    location: Annotated[str, Meta(max_length=300)] | None = None
    online_link: WebLink | None = None
    booking_cutoff_hours: Annotated[int, Meta(ge=0, le=168)] = 24
    requires_approval: bool = False
    trainer_ids: Annotated[list[UUID], Meta(max_length=20)] = []
    description: Annotated[str, Meta(max_length=4000)] = ""


class SessionOut(Struct):
    id: UUID
    start: datetime
    end: datetime
    status: str
    confirmed: int
    waitlisted: int


class MyPlace(Struct):
    status: str  # confirmed | waitlisted | pending (awaiting approval)
    waitlist_position: int | None = None
    request_id: UUID | None = None  # set when someone else booked it or approval is awaited


class RunOut(Struct):
    id: UUID
    course_id: UUID
    title: str
    delivery: str
    location: str | None
    online_link: str | None
    capacity: int
    places_left: int
    waitlisted: int
    booking_cutoff_hours: int
    requires_approval: bool
    status: str
    booking_open: bool
    sessions: list[SessionOut]
    trainers: list[str]
    my_place: MyPlace | None = None


class BookOtherIn(Struct, forbid_unknown_fields=True):
    account_id: UUID


class RequestOut(Struct):
    id: UUID
    run_id: UUID
    title: str
    account_id: UUID
    name: str
    booked_by: str
    status: str  # pending | booked | declined | refused | cancelled
    created_at: datetime

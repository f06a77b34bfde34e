"""API shapes for the community domain."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Literal
from uuid import UUID

from msgspec import UNSET, Meta, Struct, UnsetType

from peerwork.core.schema import WebLink

Kind = Literal["co_reflection", "social_drop_in", "debrief", "development_day", "directors_forum", "network_meeting"]
KIND_LABELS = {
    "co_reflection": "Co-reflection", "social_drop_in": "Social drop-in", "debrief": "Debrief",
    "development_day": "Development day", "directors_forum": "Directors' forum", "network_meeting": "Network meeting",
}
Title = Annotated[str, Meta(min_length=1, max_length=200)]
Capacity = Annotated[int, Meta(ge=1, le=1000)]


class SeriesIn(Struct, forbid_unknown_fields=True):
    kind: Kind
    title: Title
    rrule: Annotated[str, Meta(min_length=6, max_length=300, examples=["FREQ=MONTHLY;BYDAY=1TU"])]
    start_date: date
    start_time: time
    end_time: time
    capacity: Capacity
    description: Annotated[str, Meta(max_length=4000)] = ""
    location: Annotated[str, Meta(max_length=300)] | None = None
    online_link: WebLink | None = None
    visibility: Literal["organisation", "network"] = "organisation"
    booking_cutoff_minutes: Annotated[int, Meta(ge=0, le=10080)] = 60
    facilitator_ids: list[UUID] = []


class SeriesChange(Struct, forbid_unknown_fields=True):
    """Change a series from a date onwards; times or rule changes split the series there."""

    from_date: date
    title: Title | UnsetType = UNSET
    description: Annotated[str, Meta(max_length=4000)] | UnsetType = UNSET
    location: Annotated[str, Meta(max_length=300)] | None | UnsetType = UNSET
    online_link: WebLink | None | UnsetType = UNSET
    capacity: Capacity | UnsetType = UNSET
    rrule: Annotated[str, Meta(min_length=6, max_length=300)] | UnsetType = UNSET
    start_time: time | UnsetType = UNSET
    end_time: time | UnsetType = UNSET


class SeriesOut(Struct):
    id: UUID
    kind: str
    title: str
    rrule: str
    first_start: datetime
    duration_minutes: int
    capacity: int
    location: str | None
    online_link: str | None
    visibility: str
    booking_cutoff_minutes: int
    status: str
    description: str


class OccurrenceOut(Struct):
    id: UUID
    series_id: UUID
    organisation: str
    kind: str
    title: str
    start: datetime
    end: datetime
    location: str | None
    online_link: str | None
    capacity: int
    confirmed: int
    waitlisted: int
    status: str
    moved: bool
    booking_open: bool = True  # False from the booking cut-off (and once cancelled)
    my_booking: "BookingOut | None" = None


class OccurrenceMove(Struct, forbid_unknown_fields=True):
    start: datetime
    end: datetime
    location: Annotated[str, Meta(max_length=300)] | None | UnsetType = UNSET


class CancelIn(Struct, forbid_unknown_fields=True):
    reason: Annotated[str, Meta(max_length=500)] = ""


class BookingOut(Struct):
    id: UUID
    occurrence_id: UUID
    status: str
    waitlist_position: int | None
    attended: bool | None
    sequence: int


class AttendeeOut(Struct):
    booking_id: UUID
    name: str
    organisation: str
    status: str
    attended: bool | None


class AttendanceIn(Struct, forbid_unknown_fields=True):
    attended: bool


CalendarDelivery = Literal["auto", "invites", "feed", "both"]


class PreferencesIn(Struct, forbid_unknown_fields=True):
    """Change what is given; leave out what stays as it is."""

    newsletter: bool | UnsetType = UNSET
    # How bookings reach your calendar (docs/http-and-calendar.md, "Invites, feed or both").
    calendar_delivery: CalendarDelivery | UnsetType = UNSET


class PreferencesOut(Struct):
    newsletter: bool
    calendar_delivery: CalendarDelivery = "auto"
    has_feed_link: bool = False  # a live personal calendar link (decides what "auto" does)
    replies_read: bool = False  # Decline in a calendar app gives up the place
    bookings_moved: int = 0  # held places just moved between invites and the feed (each emailed)

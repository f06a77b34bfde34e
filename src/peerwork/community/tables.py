"""Community tables: event series recurring in Europe/London, their occurrences, bookings
and newsletter preferences."""

from __future__ import annotations

from piccolo.columns import (
    UUID,
    Boolean,
    ForeignKey,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from peerwork.core.tables import Account, Organisation


class EventSeries(Table):
    """A recurring reflective space: co-reflection, drop-in, debrief, development day, ..."""

    id = UUID(primary_key=True)
    organisation = ForeignKey(references=Organisation, null=False, index=True)
    kind = Varchar(length=24)
    title = Varchar(length=200)
    description = Text(default="")
    # RFC 5545 RRULE value, e.g. FREQ=MONTHLY;BYDAY=1TU, expanded from first_start in London time.
    rrule = Varchar(length=300)
    first_start = Timestamptz()
    duration_minutes = Integer()
    capacity = Integer()
    location = Varchar(length=300, null=True, default=None)
    online_link = Varchar(length=500, null=True, default=None)
    visibility = Varchar(length=16, default="organisation")  # organisation | network
    booking_cutoff_minutes = Integer(default=60)
    status = Varchar(length=16, default="open")  # open | closed
    sequence = Integer(default=0)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class SeriesFacilitator(Table):
    series = ForeignKey(references=EventSeries, null=False, index=True)
    account = ForeignKey(references=Account, null=False, index=True)


class Occurrence(Table):
    """One dated instance of a series. ``original_start`` never changes (it is the iCalendar
    RECURRENCE-ID); ``start``/``end`` move when a peer lead moves it."""

    id = UUID(primary_key=True)
    series = ForeignKey(references=EventSeries, null=False, index=True)
    organisation = ForeignKey(references=Organisation, null=False, index=True)
    original_start = Timestamptz()
    start = Timestamptz(index=True)
    end = Timestamptz()
    capacity = Integer()
    location = Varchar(length=300, null=True, default=None)
    status = Varchar(length=16, default="scheduled")  # scheduled | cancelled
    sequence = Integer(default=0)
    updated_at = Timestamptz(default=TimestamptzNow())


class Booking(Table):
    """One person's place (or place in the queue) at one occurrence; one row per person and
    occurrence, re-used if they cancel and book again, so invite SEQUENCE keeps rising."""

    id = UUID(primary_key=True)
    occurrence = ForeignKey(references=Occurrence, null=False, index=True)
    account = ForeignKey(references=Account, null=False, index=True)
    organisation = ForeignKey(references=Organisation, null=False, index=True)  # the booker's
    status = Varchar(length=16)  # confirmed | waitlisted | cancelled
    queue_position = Integer()  # first come, first served: order of booking requests
    attended = Boolean(null=True, default=None)
    sequence = Integer(default=0)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    # Where this booking's copy lives in the person's mail calendar (calendar.delivery):
    # "request" (an invite stands), "cancel" (the last invite cancelled it), None (none, or
    # it lives in their feed).
    invite_state = Varchar(length=8, null=True, default=None)
    # The invite's reply address carries replies+<selector><verifier>: the selector finds the
    # booking, the verifier is compared in constant time (community.replies).
    reply_selector = Varchar(length=16, null=True, default=None)  # unique: an index in the migration
    reply_verifier = Varchar(length=32, null=True, default=None)


class CommunityPreference(Table):
    account = ForeignKey(references=Account, null=False, unique=True)
    newsletter = Boolean(default=True)
    # How bookings reach the person's calendar: auto | invites | feed | both (calendar.delivery).
    calendar_delivery = Varchar(length=8, default="auto")

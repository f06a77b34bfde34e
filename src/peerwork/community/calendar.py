"""What community puts on calendars: a person's booked occurrences (those their choice of
invites, feed or both puts in the feed; a called-off one for a few days, marked cancelled, so
calendar apps take it away), and an organisation's open series (RRULE series, cancelled
occurrences as EXDATE, moved ones as overrides). Replies to booking invites go to ``replies``."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from peerwork.calendar import ical
from peerwork.calendar.feeds import CANCELLED_GRACE
from peerwork.calendar.providers import CalendarProvider, FingerprintPart
from peerwork.calendar import delivery
from peerwork.community import replies
from peerwork.community.notify import booking_contexts, calendar_delivery, calendar_event
from peerwork.community.tables import Booking, EventSeries, Occurrence
from peerwork.core.time import now


async def booked_events(account_id: UUID, since: datetime, *, for_feed: bool = True) -> list[ical.CalEvent]:
    mode = await calendar_delivery(account_id) if for_feed else "both"  # a page lists them all
    rows = await booking_contexts().where(
        (Booking.account == account_id) & (Booking.status != "cancelled") & (Booking.occurrence.end > since)
        & ((Booking.occurrence.status != "cancelled") | (Booking.occurrence.updated_at > now() - CANCELLED_GRACE))
    )
    events = []
    for b in rows:
        if not delivery.in_feed(mode, b["invite_state"]):
            continue  # it comes as an invite: in the feed too it would show twice
        status = {"confirmed": "CONFIRMED", "waitlisted": "TENTATIVE"}[b["status"]]
        if b["occurrence.status"] == "cancelled":
            status = "CANCELLED"
        event = calendar_event(b, status=status)
        if b["status"] == "waitlisted":
            event = ical.CalEvent(**{**event.__dict__, "summary": f"{event.summary} (waiting list)"})
        events.append(event)
    return events


async def open_series(organisation_id: UUID) -> list[ical.CalSeries]:
    series_rows = await EventSeries.select().where(
        (EventSeries.organisation == organisation_id) & (EventSeries.status == "open")
        & (EventSeries.kind != "training")  # course runs are in the feeds of the people booked, not as spaces
    ).order_by(EventSeries.first_start)
    series = []
    for s in series_rows:
        occurrences = await Occurrence.select().where(Occurrence.series == s["id"])
        cancelled = tuple(o["original_start"] for o in occurrences if o["status"] == "cancelled")
        overrides = tuple(
            ical.Override(original_start=o["original_start"], start=o["start"], end=o["end"],
                          sequence=s["sequence"] + max(o["sequence"], 1), location=o["location"])
            for o in occurrences
            if o["status"] == "scheduled" and (o["start"] != o["original_start"] or o["location"])
        )
        stamps = [s["updated_at"], *(o["updated_at"] for o in occurrences)]
        series.append(ical.CalSeries(
            uid=f"series-{s['id']}@peerwork", summary=s["title"], first_start=s["first_start"],
            duration=timedelta(minutes=s["duration_minutes"]), rrule=s["rrule"], stamp=max(stamps),
            sequence=s["sequence"], description=s["description"] or "",
            location=s["location"] or s["online_link"], url=s["online_link"], exdates=cancelled, overrides=overrides,
        ))
    return series


# Every change to a booking, occurrence or series moves an updated_at; the count also moves
# when a called-off occurrence's days of grace run out, and the choice itself is a part.
PROVIDER = CalendarProvider(
    name="community",
    events=booked_events,
    fingerprint=(
        FingerprintPart("bookings", "SELECT COUNT(*) FROM booking b JOIN occurrence o ON o.id = b.occurrence "
                                    "WHERE b.account = {account} AND b.status <> 'cancelled' AND o.\"end\" > {since} "
                                    "AND (o.status <> 'cancelled' OR o.updated_at > {cancelled_since})"),
        FingerprintPart("delivery", "SELECT MAX(calendar_delivery) FROM community_preference "
                                    "WHERE account = {account}"),
        FingerprintPart("latest_booking", "SELECT MAX(b.updated_at) FROM booking b WHERE b.account = {account}"),
        FingerprintPart("latest_occurrence", "SELECT MAX(o.updated_at) FROM booking b "
                                             "JOIN occurrence o ON o.id = b.occurrence WHERE b.account = {account}"),
        FingerprintPart("latest_series", "SELECT MAX(s.updated_at) FROM booking b JOIN occurrence o "
                                         "ON o.id = b.occurrence JOIN event_series s ON s.id = o.series "
                                         "WHERE b.account = {account}"),
    ),
    series=open_series,
    organisation_fingerprint=(
        FingerprintPart("occurrences", "SELECT COUNT(*) FROM event_series s JOIN occurrence o ON o.series = s.id "
                                       "WHERE s.organisation = {organisation} AND s.status = 'open'"),
        FingerprintPart("series", "SELECT COUNT(*) FROM event_series s "
                                  "WHERE s.organisation = {organisation} AND s.status = 'open'"),
        FingerprintPart("latest_series", "SELECT MAX(s.updated_at) FROM event_series s "
                                         "WHERE s.organisation = {organisation} AND s.status = 'open'"),
        FingerprintPart("latest_occurrence", "SELECT MAX(o.updated_at) FROM event_series s "
                                             "JOIN occurrence o ON o.series = s.id "
                                             "WHERE s.organisation = {organisation} AND s.status = 'open'"),
    ),
    reply=replies.handle_reply,
)

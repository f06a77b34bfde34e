"""Builders for community tests."""

from __future__ import annotations

from datetime import date, time, timedelta

from icalendar import Calendar

from peerwork.community import bookings, series
from peerwork.community.schemas import SeriesIn
from peerwork.core.tables import OutboxMessage


async def make_series(lead, *, capacity: int = 12, rrule: str = "FREQ=WEEKLY;BYDAY=TU", days_ahead: int = 7,
                      visibility: str = "organisation", start: time = time(13), end: time = time(14, 30),
                      title: str = "Co-reflection", facilitators=()):
    return await series.create_series(lead.principal, SeriesIn(
        kind="co_reflection", title=title, rrule=rrule, start_date=date.today() + timedelta(days=days_ahead),
        start_time=start, end_time=end, capacity=capacity, visibility=visibility,
        location="Room 4, Oak House", facilitator_ids=list(facilitators),
    ))


async def first_occurrence(user, series_id=None):
    occurrences = await bookings.upcoming(user.principal, days=366)
    return next(o for o in occurrences if series_id is None or o.series_id == series_id)


async def mail_to(email: str) -> list[dict]:
    return await OutboxMessage.select().where(OutboxMessage.to_address == email).order_by(OutboxMessage.created_at)


def invite_fields(ics: str) -> dict[str, str]:
    calendar = Calendar.from_ical(ics)
    event = next(iter(calendar.walk("VEVENT")))
    return {"METHOD": str(calendar["METHOD"]), "UID": str(event["UID"]), "SEQUENCE": int(event["SEQUENCE"]),
            "STATUS": str(event.get("STATUS", "")), "ATTENDEE": str(event.get("ATTENDEE", ""))}

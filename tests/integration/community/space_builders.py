"""Spaces of a given kind, for the page tests (``helpers.make_series`` makes co-reflections)."""

from __future__ import annotations

from datetime import date, time, timedelta

from peerwork.community import series
from peerwork.community.schemas import SeriesIn


async def make_space(lead, kind: str, title: str, rrule: str, *, capacity: int = 12, days_ahead: int = 1,
                     visibility: str = "organisation", start: time = time(13), end: time = time(14, 30)):
    return await series.create_series(lead.principal, SeriesIn(
        kind=kind, title=title, rrule=rrule, start_date=date.today() + timedelta(days=days_ahead),
        start_time=start, end_time=end, capacity=capacity, visibility=visibility, location="Room 4, Oak House",
    ))


async def monthly_and_daily(lead):
    monthly = await make_space(lead, "co_reflection", "Monthly co-reflection", "FREQ=MONTHLY;BYDAY=1TU")
    daily = await make_space(lead, "debrief", "Daily debrief", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", capacity=3,
                             start=time(16, 30), end=time(17))
    return monthly, daily

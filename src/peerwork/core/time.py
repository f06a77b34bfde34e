"""Time: one clock, and one idea of UK local time.

Instants are stored timezone-aware in UTC; people read and book in Europe/London, so series
recur there and every date shown to a person is London time.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def now() -> datetime:
    """The current instant, aware, in UTC."""
    return datetime.now(timezone.utc)


def london_today() -> date:
    """Today's date in London: closing dates, due dates and reports are UK dates."""
    return now().astimezone(LONDON).date()


def in_london(instant: datetime) -> datetime:
    """An instant as London wall-clock time, for showing to a person."""
    return instant.astimezone(LONDON)


def london(local: datetime) -> datetime:
    """A wall-clock London time as an aware instant (a time skipped in March moves forward)."""
    aware = local.replace(tzinfo=LONDON)
    # Round-trip through UTC normalises a non-existent local time (01:30 on the March change).
    return aware.astimezone(timezone.utc).astimezone(LONDON)


def when(start: datetime, end: datetime) -> str:
    """A span as people read it in an email: "Tuesday 3 March 2026, 10:00–11:30 (UK time)"."""
    start, end = start.astimezone(LONDON), end.astimezone(LONDON)
    return f"{start:%A %-d %B %Y}, {start:%H:%M}–{end:%H:%M} (UK time)"

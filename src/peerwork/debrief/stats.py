"""The debrief figures, pure: requests per month and how soon the first debriefer accepted,
with the small-number rule (``core.privacy``) applied before anything leaves."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from statistics import median

from peerwork.core.privacy import SMALL_NUMBER, disclosed_count
from peerwork.debrief.schemas import MonthFigures

HOUR = timedelta(hours=1)


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def months_back(last: date, count: int) -> list[str]:
    """``count`` months ending with ``last``'s month, oldest first."""
    year, month = last.year, last.month
    keys = []
    for _ in range(count):
        keys.append(f"{year:04d}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return keys[::-1]


def month_figures(month: str, asked: list[tuple[datetime, datetime | None]]) -> MonthFigures:
    """One month's requests, each (asked at, accepted at or None). The median and the share
    are withheld unless both the requests and the accepted ones number 5 or more."""
    waits = [(accepted - created) for created, accepted in asked if accepted is not None]
    small = len(asked) < SMALL_NUMBER or len(waits) < SMALL_NUMBER
    return MonthFigures(
        month=month, requests=disclosed_count(len(asked)), accepted=disclosed_count(len(waits)),
        median_minutes_to_accept=None if small else round(median(w.total_seconds() for w in waits) / 60, 1),
        answered_within_hour=None if small else round(sum(w <= HOUR for w in waits) / len(asked), 3),
    )


def figures(months: list[str], asked: dict[str, list[tuple[datetime, datetime | None]]]) -> list[MonthFigures]:
    return [month_figures(m, asked.get(m, [])) for m in months]

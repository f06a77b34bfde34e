"""The reflective spaces list grouped by UK week, with a series that meets several times in a
week (a daily debrief) shown as one row of dates instead of a card per date. Pure."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from peerwork.core.time import LONDON


@dataclass(frozen=True)
class SeriesWeek:
    """One series' dates in one week. ``dates`` holds one occurrence (a card) or several (a
    compact row, each date still bookable on its own)."""

    series_id: UUID
    dates: tuple[Any, ...]

    @property
    def first(self) -> Any:
        return self.dates[0]

    @property
    def compact(self) -> bool:
        return len(self.dates) > 1


@dataclass(frozen=True)
class Week:
    monday: date
    rows: tuple[SeriesWeek, ...]


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def by_week(occurrences: Iterable[Any]) -> list[Week]:
    """Occurrences (anything with ``series_id`` and an aware ``start``) in UK weeks from Monday,
    earliest first; within a week one row per series, ordered by its first date."""
    weeks: dict[date, dict[UUID, list[Any]]] = {}
    for o in sorted(occurrences, key=lambda o: o.start):
        monday = monday_of(o.start.astimezone(LONDON).date())
        weeks.setdefault(monday, {}).setdefault(o.series_id, []).append(o)
    return [Week(monday, tuple(SeriesWeek(series_id, tuple(dates)) for series_id, dates in rows.items()))
            for monday, rows in sorted(weeks.items())]


def week_heading(monday: date, today: date) -> str:
    """"This week", "Next week", or "Week of Monday 14 December"."""
    this_monday = monday_of(today)
    if monday == this_monday:
        return "This week"
    if monday == this_monday + timedelta(days=7):
        return "Next week"
    return f"Week of Monday {monday:%-d %B}"


def count_dates(weeks: Sequence[Week]) -> int:
    return sum(len(row.dates) for week in weeks for row in week.rows)

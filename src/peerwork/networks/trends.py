"""Trends: each headline figure at each of the last twelve quarter ends, by replaying the
figures as they were known on that day (every figure function takes an as-of date).

The replay calls the same figure functions as the board pack's own tables, so a quarter's
point is exactly what a board pack dated that quarter end would have said, with the same
small-number suppression (a withheld figure is a gap in its line, never a guess).

Cost: one full set of figures per quarter, twelve in all, so a trend costs about twelve times
the figures for one day (measured in docs/board-pack.md).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

QUARTERS = 12  # three years
QUARTER_END_MONTHS = (3, 6, 9, 12)

# The supports followed over time: the two forms of peer supervision, and role training (which
# the national survey finds most often missing). Nine panels in all: a three by three grid.
TREND_SUPPORTS = ("one_to_one_supervision", "group_supervision", "role_training")


@dataclass(frozen=True)
class Series:
    """One figure over the quarters: values are shares 0..1, None where withheld."""

    key: str
    label: str
    values: tuple[float | None, ...]


@dataclass(frozen=True)
class Trends:
    quarters: tuple[date, ...]
    series: tuple[Series, ...]


def quarter_end_on_or_before(day: date) -> date:
    """The last calendar quarter end (31 March, 30 June, 30 September, 31 December) <= day."""
    candidates = [date(day.year - 1, 12, 31)] + [_month_end(day.year, month) for month in QUARTER_END_MONTHS]
    return max(end for end in candidates if end <= day)


def _month_end(year: int, month: int) -> date:
    first_of_next = date(year + month // 12, month % 12 + 1, 1)
    return first_of_next - timedelta(days=1)


def quarter_ends(as_of: date, count: int = QUARTERS) -> tuple[date, ...]:
    """The ``count`` quarter ends up to ``as_of``, oldest first."""
    ends = [quarter_end_on_or_before(as_of)]
    while len(ends) < count:
        ends.append(quarter_end_on_or_before(ends[-1] - timedelta(days=1)))
    return tuple(reversed(ends))


def series_of(units: Sequence[Any]) -> tuple[Series, ...]:
    """The headline figures of one unit (organisation, or the pooled network) at each quarter:
    retention at 1/2/3 years (Kaplan–Meier), supervision and CPD compliance, a few supports."""
    def line(key: str, label: str, pick: Callable[[Any], float | None]) -> Series:
        return Series(key=key, label=label, values=tuple(pick(unit) for unit in units))

    lines = [line(f"retention_{k}y", f"Retention at {k} year{'s' if k > 1 else ''}",
                  lambda unit, k=k: next((r.survival for r in unit.retention if r.years == k), None))
             for k in (1, 2, 3)]
    lines += [
        line("supervision_one_to_one", "1:1 supervision on time", lambda unit: unit.supervision_one_to_one.share),
        line("supervision_group", "Group supervision on time", lambda unit: unit.supervision_group.share),
        line("cpd", "CPD compliant", lambda unit: unit.cpd.share),
    ]
    if units:
        labels = {s.key: s.label for s in units[-1].supports}
        lines += [line(f"support:{key}", short_support_label(labels[key]),
                       lambda unit, key=key: next((s.share for s in unit.supports if s.key == key), None))
                  for key in TREND_SUPPORTS if key in labels]
    return tuple(lines)


def short_support_label(label: str) -> str:
    """"Role training (core training done)" -> "Role training": panels are small."""
    return label.split(" (")[0]


async def replay(figures_on: Callable[[date], Awaitable[Any]], as_of: date, count: int = QUARTERS) -> Trends:
    """Trends from ``figures_on(day)`` (a unit's figures on a day) at each quarter end. One
    quarter at a time: the figure functions share the request's database connection."""
    quarters = quarter_ends(as_of, count)
    units = [await figures_on(day) for day in quarters]
    return Trends(quarters=quarters, series=series_of(units))

"""The retention report, pure: headline, cohort rates, breakdowns and curve from a list of spells.

Everything the API, the CLI and the page show comes from :func:`build_retention_report`, and
``RetentionReport.to_dict()`` is its JSON form (dates as ISO strings, tuples as lists).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import compress
from typing import Any

from peerwork.core.lazy import deferred
from peerwork.retention.survival import (
    NOT_RECORDED,
    CohortRate,
    CurvePoint,
    KaplanMeier,
    PeriodFigures,
    ReasonCount,
    Spell,
    SpellColumns,
    SurvivalEstimate,
    cohort_rates_by_group,
    cohort_rates_from_arrays,
    estimates_by_group,
    estimates_from_arrays,
    period_figures_from_columns,
    reasons_counted,
)

np = deferred("numpy")  # loaded by the first report, not at start-up

LIVED_EXPERIENCE = "lived_experience"
OTHER_ROLES = "other_roles"


def financial_year(day: date) -> str:
    """The NHS financial year (1 April to 31 March) a date falls in, e.g. "2023/24"."""
    first = day.year if day.month >= 4 else day.year - 1
    return f"{first}/{(first + 1) % 100:02d}"


def _band_order(band: str) -> tuple:
    # Agenda for Change bands run 2 ... 7, 8a ... 8d, 9; anything else sorts after them.
    if band[:1].isdigit():
        return (0, int(band[0]), band[1:])
    return (1, 0, band)


def _name_order(name: str) -> tuple:
    return (name.casefold(), name)


# Each breakdown: how to label a spell, and how to order the labels ("Not recorded" last).
BREAKDOWNS: Mapping[str, tuple[Callable[[Spell], str | None], Callable[[str], Any]]] = {
    "cohort_year": (lambda s: str(s.start.year), str),
    "financial_year": (lambda s: financial_year(s.start), str),
    "team": (lambda s: s.team, _name_order),
    "band": (lambda s: s.band, _band_order),
}


@dataclass(frozen=True)
class GroupRetention:
    """Retention of one group of spells (a start year, a team, a band...)."""

    label: str
    spells: int
    leavers: int
    in_post: int
    retention: tuple[SurvivalEstimate, ...]
    cohort_rates: tuple[CohortRate, ...]


@dataclass(frozen=True)
class RetentionReport:
    """Retention of one organisation's spells on ``as_of``.

    ``roles`` says which spells: "lived_experience" (the subject) or "other_roles" (the same
    measure over every other role, for comparison). ``retention`` is the Kaplan–Meier headline
    at 1, 2 and 3 years; ``curve`` the whole step function for charting; ``breakdowns`` maps
    each requested breakdown name to its groups in display order.
    """

    as_of: date
    roles: str
    spells: int
    leavers: int
    in_post: int
    retention: tuple[SurvivalEstimate, ...]
    cohort_rates: tuple[CohortRate, ...]
    breakdowns: Mapping[str, tuple[GroupRetention, ...]]
    leavers_by_reason: tuple[ReasonCount, ...]
    curve: tuple[CurvePoint, ...]
    period: PeriodFigures | None = None
    organisation_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return _jsonable(self)


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def _columns(spells: Sequence[Spell] | SpellColumns) -> SpellColumns:
    return spells if isinstance(spells, SpellColumns) else SpellColumns.from_spells(spells)


def _group(label: str, columns: SpellColumns, rows: np.ndarray | None, as_of: date) -> GroupRetention:
    """The figures for the spells at ``rows`` (all of them when None); rows given in ascending
    order of duration save sorting them."""
    start, duration, left = columns.start, columns.duration, columns.left
    if rows is not None:
        start, duration, left = start[rows], duration[rows], left[rows]
    leavers = int(np.count_nonzero(left))
    return GroupRetention(
        label=label, spells=len(start), leavers=leavers, in_post=len(start) - leavers,
        retention=estimates_from_arrays(duration, left, presorted=rows is not None),
        cohort_rates=cohort_rates_from_arrays(start, duration, as_of),
    )


def _by_duration(columns: SpellColumns) -> np.ndarray:
    """Row numbers in ascending order of duration (ties in row order)."""
    return np.argsort(columns.duration, kind="stable")


def _start_labels(columns: SpellColumns, first_month: int, label_of_year: Callable[[int], str]
                  ) -> tuple[list[str], np.ndarray]:
    """Labels of years that begin on the 1st of ``first_month`` (``label_of_year(y)`` for the
    one beginning in year y), those of the spells' starts only, and each spell's index into
    them: one searchsorted over the years' first days, no date made per spell or per day."""
    if not len(columns):
        return [], np.zeros(0, dtype=np.int64)
    low = date.fromordinal(int(columns.start.min())).year - 1  # the year holding the earliest start
    years = range(low, date.fromordinal(int(columns.start.max())).year + 1)
    first_days = np.array([date(year, first_month, 1).toordinal() for year in years], dtype=np.int64)
    slot = np.searchsorted(first_days, columns.start, side="right") - 1
    used = np.flatnonzero(np.bincount(slot, minlength=len(first_days)))
    index = np.zeros(len(first_days), dtype=np.int64)
    index[used] = np.arange(len(used))
    return [label_of_year(years[i]) for i in used.tolist()], index[slot]


def _distinct(values: Sequence[str | None]) -> tuple[list[str | None], np.ndarray]:
    distinct = list(set(values))
    position = {value: i for i, value in enumerate(distinct)}
    return distinct, np.fromiter(map(position.__getitem__, values), dtype=np.int64, count=len(values))


# Each breakdown over columns: its distinct labels, and each spell's index into them -- the same
# labels BREAKDOWNS gives one spell at a time.
_COLUMN_LABELS: Mapping[str, Callable[[SpellColumns], tuple[list[str | None], np.ndarray]]] = {
    "cohort_year": lambda c: _start_labels(c, 1, str),
    "financial_year": lambda c: _start_labels(c, 4, lambda year: financial_year(date(year, 4, 1))),
    "team": lambda c: _distinct(c.team),
    "band": lambda c: _distinct(c.band),
}


def _breakdown(columns: SpellColumns, as_of: date, by: str, by_duration: np.ndarray | None = None
               ) -> tuple[GroupRetention, ...]:
    _, order = BREAKDOWNS[by]
    by_duration = _by_duration(columns) if by_duration is None else by_duration
    values, value_of_spell = _COLUMN_LABELS[by](columns)
    keys: dict[str | None, int] = {}  # group label (None = not recorded) -> group number
    group_of_value = np.array(
        [keys.setdefault(value if value and value.strip() else None, len(keys)) for value in values], dtype=np.int64)
    codes = group_of_value[value_of_spell] if len(values) else np.zeros(0, dtype=np.int64)
    # Spells of each group, by duration (a stable sort by group number of the spells by duration).
    ordered = by_duration[np.argsort(codes[by_duration], kind="stable")]
    bounds = np.searchsorted(codes[ordered], np.arange(len(keys) + 1), side="left").tolist()
    labels = sorted((label for label in keys if label is not None), key=order)
    if None in keys:
        labels.append(None)
    # Every group's figures at once (each exactly what _group gives it alone).
    estimates = estimates_by_group(columns.duration[ordered], columns.left[ordered], bounds)
    rates = cohort_rates_by_group(columns.start, columns.duration, codes, len(keys), as_of)
    leavers = np.bincount(codes[columns.left], minlength=len(keys)).tolist()
    groups = []
    for label in labels:
        number = keys[label]
        spells = bounds[number + 1] - bounds[number]
        groups.append(GroupRetention(
            label=label or NOT_RECORDED, spells=spells, leavers=leavers[number], in_post=spells - leavers[number],
            retention=estimates[number], cohort_rates=rates[number]))
    return tuple(groups)


def breakdown(spells: Iterable[Spell] | SpellColumns, as_of: date, by: str) -> tuple[GroupRetention, ...]:
    """One row per group that has spells; spells with no team (or band) form "Not recorded"."""
    if by not in BREAKDOWNS:
        raise ValueError(f"unknown breakdown {by!r} (use one of: {', '.join(BREAKDOWNS)})")
    return _breakdown(spells if isinstance(spells, SpellColumns) else SpellColumns.from_spells(spells), as_of, by)


def build_retention_report(
    spells: Sequence[Spell] | SpellColumns,
    as_of: date,
    *,
    by: Iterable[str] = tuple(BREAKDOWNS),
    period: tuple[date, date] | None = None,
    roles: str = LIVED_EXPERIENCE,
    organisation_id: str | None = None,
) -> RetentionReport:
    """The whole report from spells built as of ``as_of`` (Spell objects, or the same as
    columns). A period, if given, must end by as_of."""
    by = tuple(by)
    for name in by:
        if name not in BREAKDOWNS:
            raise ValueError(f"unknown breakdown {name!r} (use one of: {', '.join(BREAKDOWNS)})")
    if period is not None and period[1] > as_of:
        raise ValueError("the period must end on or before the as-of date")
    columns = _columns(spells)
    by_duration = _by_duration(columns)
    overall = _group("All", columns, by_duration, as_of)
    left = columns.left
    return RetentionReport(
        as_of=as_of, roles=roles, spells=overall.spells, leavers=overall.leavers, in_post=overall.in_post,
        retention=overall.retention, cohort_rates=overall.cohort_rates,
        breakdowns={name: _breakdown(columns, as_of, name, by_duration) for name in by},
        leavers_by_reason=reasons_counted(compress(columns.leaving_reason, left.tolist())),
        curve=KaplanMeier(arrays=(columns.duration, left)).points if len(columns) else (),
        period=period_figures_from_columns(columns, *period) if period is not None else None,
        organisation_id=organisation_id,
    )

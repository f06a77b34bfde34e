"""Retention maths, pure: lived-experience spells, Kaplan–Meier, cohort rates, period figures.

The definitions are the contract's ("Retention (exact definitions)"); nothing here touches the
database. Spells are made in one place only, :func:`merge_columns` (over :func:`merge_day_rows`),
for every caller (see :mod:`peerwork.retention.query`); the tests hold a plain-Python reference
merge (tests/unit/retention/reference.py) as its oracle, and lifelines for Kaplan–Meier.

The rules: a person's assignments (in lived-experience roles, or for comparison in every other
role) are merged into spells when they overlap or when one starts 31 days or fewer after the
latest end among the person's earlier ones (start - that end <= 31); a spell is censored at
``as_of`` (an end after ``as_of`` counts as in post on ``as_of``); spells starting after
``as_of`` are left out.

Choices the contract leaves open, made once here:

- A spell's team, band and leaving reason are those of its *latest* assignment: the one in post
  at the spell's end (or on ``as_of`` for an open spell), i.e. the greatest by (end, with "in post
  on as_of" latest of all; then start; then assignment number). Assignments that start after
  ``as_of`` are never chosen. So a leaver is reported under the team they left from.
- Spells are merged from every assignment, then judged on ``as_of``: a person in a gap of 31
  days or fewer on ``as_of`` who is (already known to be) back within it is still in post.
- Someone is "in post" on a date when the date falls within one of their spells, first and
  last days included, gaps of 31 days or fewer included.
"""

from __future__ import annotations

import math
import operator
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from itertools import accumulate
from statistics import NormalDist
from typing import Any

from peerwork.core.lazy import deferred
from peerwork.core.privacy import SMALL_NUMBER

np = deferred("numpy")  # loaded by the first report, not at start-up

YEAR_DAYS = 365
RETENTION_YEARS = (1, 2, 3)
MERGE_GAP_DAYS = 31
CONFIDENCE_ALPHA = 0.05
NOT_RECORDED = "Not recorded"

# The same z lifelines uses (scipy's norm.ppf(0.975)); NormalDist agrees to the last bit or two.
_Z = NormalDist().inv_cdf(1 - CONFIDENCE_ALPHA / 2)


@dataclass(frozen=True)
class Spell:
    """An unbroken run of one person's assignments, as seen on ``as_of``."""

    person: str
    start: date
    end: date | None  # last day; None = in post on as_of (censored)
    duration_days: int  # end - start, or as_of - start when censored
    team: str | None = None
    band: str | None = None
    leaving_reason: str | None = None

    @property
    def left(self) -> bool:
        """The Kaplan–Meier event: the spell ended on or before as_of."""
        return self.end is not None

    def in_post_on(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


# An open spell's end, as a day number: later than any real date's ordinal.
OPEN_END = date.max.toordinal() + 1


@dataclass(frozen=True, eq=False)
class SpellColumns:
    """Spells as columns, for computing over many at once: days are ``date.toordinal()``
    numbers, an open spell's ``end`` is OPEN_END; team, band and reason stay Python lists."""

    start: np.ndarray  # int64 day numbers
    end: np.ndarray  # int64 day numbers; OPEN_END = in post on as_of (censored)
    duration: np.ndarray  # int64 days, as Spell.duration_days
    team: Sequence[str | None]
    band: Sequence[str | None]
    leaving_reason: Sequence[str | None]

    @cached_property
    def left(self) -> np.ndarray:
        """The Kaplan–Meier event of each spell: it ended on or before as_of."""
        return self.end != OPEN_END

    def __len__(self) -> int:
        return len(self.start)

    @classmethod
    def from_spells(cls, spells: Iterable[Spell]) -> SpellColumns:
        spells = spells if isinstance(spells, (list, tuple)) else list(spells)
        n = len(spells)
        return cls(
            start=np.fromiter((s.start.toordinal() for s in spells), dtype=np.int64, count=n),
            end=np.fromiter((OPEN_END if s.end is None else s.end.toordinal() for s in spells), dtype=np.int64, count=n),
            duration=np.fromiter((s.duration_days for s in spells), dtype=np.int64, count=n),
            team=[s.team for s in spells], band=[s.band for s in spells],
            leaving_reason=[s.leaving_reason for s in spells],
        )

    @classmethod
    def from_days(cls, start: np.ndarray, end: np.ndarray, as_of: date, team: Sequence[str | None],
                  band: Sequence[str | None], leaving_reason: Sequence[str | None]) -> SpellColumns:
        """From int64 day numbers (an open spell's end OPEN_END); durations as Spell's."""
        stop = np.where(end == OPEN_END, as_of.toordinal(), end)
        return cls(start=start, end=end, duration=stop - start, team=team, band=band, leaving_reason=leaving_reason)

    @classmethod
    def joined(cls, parts: Sequence[SpellColumns]) -> SpellColumns:
        """Several organisations' spells as one population (a network's pooled figures): each
        spell is one person's in one organisation, so none is counted twice."""
        def column(name: str) -> np.ndarray:
            return np.concatenate([getattr(p, name) for p in parts]) if parts else np.zeros(0, dtype=np.int64)

        return cls(start=column("start"), end=column("end"), duration=column("duration"),
                   team=[t for p in parts for t in p.team], band=[b for p in parts for b in p.band],
                   leaving_reason=[r for p in parts for r in p.leaving_reason])


# --- spells ---------------------------------------------------------------------------------

_SHIFT = 1 << 22  # more than any day number (OPEN_END is 3,652,060)


def merge_day_rows(person: Sequence, start: np.ndarray, end: np.ndarray, number_of: Callable[[int], str],
                   as_of: date) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The merge, over columns: assignments sorted by person then start (equal persons
    together; any order among them), as day numbers (an open assignment's end OPEN_END),
    ``number_of(row)`` its assignment number (asked only to break ties). Returns each spell's
    start, end (OPEN_END when in post on as_of) and latest row (see the module notes), in row
    order, spells starting after ``as_of`` left out. Every end must be on or after its start."""
    count, as_of_day = len(start), as_of.toordinal()
    if not count:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    new_person = np.empty(count, dtype=bool)
    new_person[0] = True
    new_person[1:] = np.fromiter(map(operator.ne, person[1:], person[:-1]), dtype=bool, count=count - 1)
    person_number = np.cumsum(new_person) - 1
    # The latest end among the person's earlier rows: a running maximum restarting with each
    # person (every person's ends lifted above all earlier people's).
    running = np.maximum.accumulate(person_number * _SHIFT + end)
    opens = new_person.copy()
    opens[1:] |= start[1:] - (running[:-1] - person_number[1:] * _SHIFT) > MERGE_GAP_DAYS
    first = np.flatnonzero(opens)
    spell_of_row = np.cumsum(opens) - 1
    spell_start, spell_end = start[first], np.maximum.reduceat(end, first)
    # The latest assignment: the greatest (started by as_of, end with "in post on as_of" last,
    # start), then the greatest assignment number among any still tied.
    key = ((start <= as_of_day).astype(np.int64) * _SHIFT + np.where(end > as_of_day, OPEN_END, end)) * _SHIFT + start
    candidates = np.flatnonzero(key == np.maximum.reduceat(key, first)[spell_of_row])
    latest = np.empty(len(first), dtype=np.int64)
    latest[spell_of_row[candidates[::-1]]] = candidates[::-1]  # each spell's first candidate
    tied = np.flatnonzero(np.bincount(spell_of_row[candidates], minlength=len(first)) > 1)
    if len(tied):
        rows_of: dict[int, list[int]] = {}
        for row in candidates[np.isin(spell_of_row[candidates], tied)].tolist():
            rows_of.setdefault(int(spell_of_row[row]), []).append(row)
        for spell, rows in rows_of.items():
            latest[spell] = max(rows, key=number_of)
    keep = spell_start <= as_of_day
    return spell_start[keep], np.where(spell_end > as_of_day, OPEN_END, spell_end)[keep], latest[keep]


def row_columns(rows: Sequence, names: Sequence[str]) -> list[Sequence]:
    """The columns ``names`` of rows: dicts (SQLite's rows, the tests'), or the database's
    records holding exactly those columns in that order (asyncpg's, transposed in C: no
    per-row Python work)."""
    if not rows:
        return [() for _ in names]
    if isinstance(rows[0], Mapping):
        return [list(map(operator.itemgetter(name), rows)) for name in names]
    columns = list(zip(*rows))
    if len(columns) != len(names):
        raise ValueError(f"rows have {len(columns)} columns, not {len(names)} ({', '.join(names)})")
    return columns


def merge_columns(person: Sequence, number: Sequence[str], start_day: Sequence[int], end_day: Sequence[int],
                  as_of: date) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`merge_day_rows` over columns of rows sorted by person then start: each row's
    person, assignment number and start and end day numbers (an open end OPEN_END). Returns
    each spell's start and end day numbers and the row number of its latest row."""
    count = len(start_day)
    return merge_day_rows(person, np.fromiter(start_day, dtype=np.int64, count=count),
                          np.fromiter(end_day, dtype=np.int64, count=count), number.__getitem__, as_of)


MERGE_COLUMNS = ("person", "assignment_number", "start_day", "end_day")


def merge_rows(rows: Sequence[Mapping[str, Any]], as_of: date) -> tuple[np.ndarray, np.ndarray, list]:
    """:func:`merge_columns` over rows (dicts) with ``person``, ``assignment_number``,
    ``start_day`` and ``end_day`` (day numbers, an open end OPEN_END), sorted by person then
    start. Returns each spell's start and end day numbers and its latest row itself."""
    start, end, latest = merge_columns(*row_columns(rows, MERGE_COLUMNS), as_of)
    return start, end, [rows[row] for row in latest.tolist()]


# --- Kaplan–Meier -----------------------------------------------------------------------------

@dataclass(frozen=True)
class CurvePoint:
    """The Kaplan–Meier estimate from ``days`` until the next point, with its 95% interval."""

    days: int
    at_risk: int  # spells with duration >= days
    events: int  # spells ending at exactly days
    survival: float
    lower: float
    upper: float


@dataclass(frozen=True)
class SurvivalEstimate:
    """S(365·k) with its 95% interval; None when there are no spells at all.

    ``uncertain`` is true when fewer than SMALL_NUMBER (5) spells are still at risk at 365·k
    days: the estimate there rests on a handful of people (or none, when it is carried on flat
    from the last event), so every surface flags it rather than showing it bare."""

    years: int
    days: int
    survival: float | None
    lower: float | None
    upper: float | None
    at_risk: int
    uncertain: bool = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "uncertain", is_uncertain(self.at_risk))


def is_uncertain(at_risk: int) -> bool:
    """An estimate resting on fewer people than the small-number rule allows is uncertain."""
    return at_risk < SMALL_NUMBER


def _log_log_interval(log_survival: float, variance: float) -> tuple[float, float]:
    """Exponential Greenwood interval, written as lifelines' KaplanMeierFitter._bounds is."""
    if log_survival == 0.0:
        return 1.0, 1.0  # lifelines' 0/0 there becomes NaN, which it fills with 1
    if log_survival == -math.inf:
        return 0.0, 0.0
    spread = _Z * math.sqrt(variance) / log_survival
    centre = math.log(-log_survival)
    return math.exp(-math.exp(centre - spread)), math.exp(-math.exp(centre + spread))


def _event_table(durations: np.ndarray, left: np.ndarray, horizon: int | None = None, presorted: bool = False
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Sorted durations, and for each distinct event time (ascending; up to ``horizon`` if
    given): the time, the events at it and the number at risk (durations >= it) -- all exact
    integer counts."""
    if presorted:  # durations ascending already: the event times come out sorted, so no sort at all
        ordered = durations
        event_times = durations[left if horizon is None else left & (durations <= horizon)]
        first = np.flatnonzero(np.concatenate(([True], event_times[1:] != event_times[:-1])))[:len(event_times)]
        event_days, died = event_times[first], np.diff(np.append(first, len(event_times)))
    else:
        ordered = np.sort(durations)
        events = left if horizon is None else left & (durations <= horizon)
        event_days, died = np.unique(durations[events], return_counts=True)
    at_risk = len(ordered) - np.searchsorted(ordered, event_days, side="left")
    return ordered, event_days, died, at_risk


_logs = None  # an array, made on first use: _logs[i] = math.log(i) for i >= 1, grown as needed


def _log(values: np.ndarray) -> np.ndarray:
    """math.log of positive integers, elementwise, to the bit (math.log, not numpy's own log)."""
    global _logs
    if _logs is None:
        _logs = np.zeros(1)
    top = int(values.max(initial=0))
    if top >= len(_logs):
        size = max(top + 1, 2 * len(_logs))
        _logs = np.concatenate([_logs, np.array([math.log(i) for i in range(len(_logs), size)])])
    return _logs[values]


def _cumulative(died: np.ndarray, at_risk: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """log S and the Greenwood sum after each event time: the running sums, in time order, of
    log(n - d) - log(n) and d / (n (n - d)); when everyone at risk leaves, log S is -inf (and
    lifelines replaces the infinite variance term with 0)."""
    survivors = at_risk - died
    everyone = survivors == 0
    log_terms = _log(np.where(everyone, 1, survivors)) - _log(at_risk)
    log_terms[everyone] = -np.inf
    variance_terms = died / np.where(everyone, 1, at_risk * survivors).astype(np.float64)
    variance_terms[everyone] = 0.0
    # Sequential sums (accumulate adds left to right), as a loop over the event times would.
    return np.add.accumulate(log_terms), np.add.accumulate(variance_terms)


def _steps(event_days: np.ndarray, died: np.ndarray, at_risk: np.ndarray) -> Iterator[tuple[int, int, int, float, float]]:
    """(days, at risk, events, log S, Greenwood sum) after each event time, in time order."""
    log_survival, variance = _cumulative(died, at_risk)
    return zip(event_days.tolist(), at_risk.tolist(), died.tolist(), log_survival.tolist(), variance.tolist())


def _as_arrays(observations: Iterable[tuple[int, bool]]) -> tuple[np.ndarray, np.ndarray]:
    observations = list(observations)
    durations = np.fromiter((days for days, _ in observations), dtype=np.int64, count=len(observations))
    left = np.fromiter((bool(gone) for _, gone in observations), dtype=bool, count=len(observations))
    return durations, left


class KaplanMeier:
    """The product-limit estimate over (duration, left) observations. S(t) includes the events
    at exactly t; between event times it is constant; after the last one it carries on flat."""

    def __init__(self, observations: Iterable[tuple[int, bool]] = (), *, arrays: tuple[np.ndarray, np.ndarray] | None = None) -> None:
        durations, left = arrays if arrays is not None else _as_arrays(observations)
        self.durations, event_days, died, at_risk = _event_table(durations, left)
        points = [CurvePoint(0, len(self.durations), 0, 1.0, 1.0, 1.0)]
        for days, n, d, log_survival, variance in _steps(event_days, died, at_risk):
            point = CurvePoint(days, n, d, math.exp(log_survival), *_log_log_interval(log_survival, variance))
            if days == 0:
                points[0] = point
            else:
                points.append(point)
        if len(self.durations) and int(self.durations[-1]) > points[-1].days:
            # Follow-up continues (censored) past the last event: draw the curve that far.
            last_day = int(self.durations[-1])
            last = points[-1]
            points.append(CurvePoint(last_day, self.at_risk(last_day), 0, last.survival, last.lower, last.upper))
        self.points = tuple(points)
        self._days = [p.days for p in self.points]

    def at_risk(self, days: int) -> int:
        return len(self.durations) - int(np.searchsorted(self.durations, days, side="left"))

    def at(self, days: int) -> CurvePoint:
        """The estimate in force at ``days`` (that of the last point at or before it)."""
        return self.points[bisect_right(self._days, days) - 1]


def kaplan_meier(spells: Sequence[Spell] | SpellColumns) -> KaplanMeier:
    columns = spells if isinstance(spells, SpellColumns) else SpellColumns.from_spells(spells)
    return KaplanMeier(arrays=(columns.duration, columns.left))


def estimates_from_arrays(durations: np.ndarray, left: np.ndarray, years: Iterable[int] = RETENTION_YEARS,
                          presorted: bool = False) -> tuple[SurvivalEstimate, ...]:
    """What :func:`retention_estimates` gives, straight from duration and event arrays (with
    ``presorted``, durations already ascending): the same sums in the same order as
    :class:`KaplanMeier`, stopping after the last time asked for."""
    years = tuple(years)
    if not len(durations):
        return tuple(SurvivalEstimate(k, YEAR_DAYS * k, None, None, None, 0) for k in years)
    horizon = max((YEAR_DAYS * k for k in years), default=0)
    ordered, event_days, died, at_risk = _event_table(durations, left, horizon, presorted)
    log_survival, variance = _cumulative(died, at_risk)
    estimates = []
    for k in years:
        days = YEAR_DAYS * k
        step = int(np.searchsorted(event_days, days, side="right")) - 1  # the last event time <= days
        log_s, var = (float(log_survival[step]), float(variance[step])) if step >= 0 else (0.0, 0.0)
        estimates.append(SurvivalEstimate(
            k, days, math.exp(log_s), *_log_log_interval(log_s, var),
            len(ordered) - int(np.searchsorted(ordered, days, side="left")),
        ))
    return tuple(estimates)


def estimates_by_group(durations: np.ndarray, left: np.ndarray, bounds: Sequence[int],
                       years: Iterable[int] = RETENTION_YEARS) -> list[tuple[SurvivalEstimate, ...]]:
    """:func:`estimates_from_arrays` (``presorted``) of each group at once, to the bit: spells
    sorted by group then duration, group g being rows bounds[g]:bounds[g + 1]. The event
    tables and terms of every group are made by whole-array operations; only the running
    sums go group by group, added left to right as np.add.accumulate adds them, so every
    figure is the one the group alone would give."""
    years = tuple(years)
    groups = len(bounds) - 1
    sizes = np.diff(np.asarray(bounds, dtype=np.int64))
    group_of = np.repeat(np.arange(groups, dtype=np.int64), sizes)
    horizon = max((YEAR_DAYS * k for k in years), default=0)
    key = group_of * _SHIFT + durations  # ascending: by group, then duration
    events = key[left & (durations <= horizon)]
    first = np.flatnonzero(np.concatenate(([True], events[1:] != events[:-1])))[:len(events)]
    event_key, died = events[first], np.diff(np.append(first, len(events)))
    event_group = event_key // _SHIFT
    ends = np.asarray(bounds[1:], dtype=np.int64)
    at_risk = ends[event_group] - np.searchsorted(key, event_key, side="left")
    survivors = at_risk - died
    everyone = survivors == 0
    log_terms = _log(np.where(everyone, 1, survivors)) - _log(at_risk)
    log_terms[everyone] = -np.inf
    variance_terms = died / np.where(everyone, 1, at_risk * survivors).astype(np.float64)
    variance_terms[everyone] = 0.0
    event_bounds = np.searchsorted(event_key, np.arange(groups + 1, dtype=np.int64) * _SHIFT, side="left").tolist()
    starts = np.arange(groups, dtype=np.int64) * _SHIFT
    # Per year asked: each group's number of events by then, and its number at risk then.
    steps = [(np.searchsorted(event_key, starts + YEAR_DAYS * k, side="right") - event_bounds[:-1]).tolist()
             for k in years]
    risks = [(ends - np.searchsorted(key, starts + YEAR_DAYS * k, side="left")).tolist() for k in years]
    log_list, variance_list = log_terms.tolist(), variance_terms.tolist()
    estimates = []
    for g, size in enumerate(sizes.tolist()):
        if not size:
            estimates.append(tuple(SurvivalEstimate(k, YEAR_DAYS * k, None, None, None, 0) for k in years))
            continue
        low = event_bounds[g]
        most = max((step[g] for step in steps), default=0)
        log_sums = list(accumulate(log_list[low:low + most]))
        variance_sums = list(accumulate(variance_list[low:low + most]))
        row = []
        for k, step, risk in zip(years, steps, risks):
            count = step[g]
            log_s, var = (log_sums[count - 1], variance_sums[count - 1]) if count else (0.0, 0.0)
            row.append(SurvivalEstimate(k, YEAR_DAYS * k, math.exp(log_s), *_log_log_interval(log_s, var), risk[g]))
        estimates.append(tuple(row))
    return estimates


def retention_estimates(spells: Sequence[Spell] | SpellColumns, years: Iterable[int] = RETENTION_YEARS) -> tuple[SurvivalEstimate, ...]:
    """Kaplan–Meier retention at 365·k days for each k, with its interval and number at risk."""
    columns = spells if isinstance(spells, SpellColumns) else SpellColumns.from_spells(spells)
    return estimates_from_arrays(columns.duration, columns.left, years)


# --- cohort rates -----------------------------------------------------------------------------

@dataclass(frozen=True)
class CohortRate:
    """Of the ``eligible`` spells that started more than 365·k days before as_of, ``retained``
    lasted more than 365·k days; ``rate`` is None when none are eligible."""

    years: int
    days: int
    retained: int
    eligible: int
    rate: float | None


def cohort_rate(spells: Iterable[Spell], as_of: date, years: int) -> CohortRate:
    days = YEAR_DAYS * years
    eligible = [s for s in spells if (as_of - s.start).days > days]
    retained = sum(1 for s in eligible if s.duration_days > days)
    return CohortRate(years, days, retained, len(eligible), retained / len(eligible) if eligible else None)


def cohort_rates(spells: Sequence[Spell], as_of: date, years: Iterable[int] = RETENTION_YEARS) -> tuple[CohortRate, ...]:
    return tuple(cohort_rate(spells, as_of, k) for k in years)


def cohort_rates_from_arrays(start: np.ndarray, duration: np.ndarray, as_of: date,
                             years: Iterable[int] = RETENTION_YEARS) -> tuple[CohortRate, ...]:
    """What :func:`cohort_rates` gives, from start day numbers and durations."""
    since_start = as_of.toordinal() - start
    rates = []
    for k in years:
        days = YEAR_DAYS * k
        eligible_mask = since_start > days
        eligible = int(np.count_nonzero(eligible_mask))
        retained = int(np.count_nonzero(eligible_mask & (duration > days)))
        rates.append(CohortRate(k, days, retained, eligible, retained / eligible if eligible else None))
    return tuple(rates)


def cohort_rates_by_group(start: np.ndarray, duration: np.ndarray, group: np.ndarray, groups: int, as_of: date,
                          years: Iterable[int] = RETENTION_YEARS) -> list[tuple[CohortRate, ...]]:
    """:func:`cohort_rates_from_arrays` of each group at once (``group``: each spell's group
    number, below ``groups``), counted with bincount."""
    since_start = as_of.toordinal() - start
    per_year = []
    for k in years:
        days = YEAR_DAYS * k
        eligible_mask = since_start > days
        eligible = np.bincount(group[eligible_mask], minlength=groups).tolist()
        retained = np.bincount(group[eligible_mask & (duration > days)], minlength=groups).tolist()
        per_year.append([CohortRate(k, days, r, e, r / e if e else None) for r, e in zip(retained, eligible)])
    return [tuple(rates) for rates in zip(*per_year)] if per_year else [() for _ in range(groups)]


# --- leavers and a period's stability -----------------------------------------------------------

@dataclass(frozen=True)
class ReasonCount:
    reason: str
    leavers: int


def leavers_by_reason(leavers: Iterable[Spell]) -> tuple[ReasonCount, ...]:
    """Most common first; a missing or blank reason counts as "Not recorded"."""
    counts = Counter((s.leaving_reason or "").strip() or NOT_RECORDED for s in leavers if s.left)
    return tuple(ReasonCount(r, n) for r, n in sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def reasons_counted(reasons: Iterable[str | None]) -> tuple[ReasonCount, ...]:
    """:func:`leavers_by_reason` given the leavers' reasons alone."""
    counts: Counter[str] = Counter()
    for reason, n in Counter(reasons).items():  # few distinct values: normalise those, not each
        counts[(reason or "").strip() or NOT_RECORDED] += n
    return tuple(ReasonCount(r, n) for r, n in sorted(counts.items(), key=lambda item: (-item[1], item[0])))


@dataclass(frozen=True)
class PeriodFigures:
    """Stability and turnover over [start, end], both days included.

    ``stability_index``: of the ``headcount_start`` in a spell on ``start``, the share whose same
    spell still runs on ``end`` (someone who left and came back is a leaver, not stable).
    ``leaver_rate``: spells ending within the period / mean of the two headcounts.
    """

    start: date
    end: date
    headcount_start: int
    headcount_end: int
    stayed: int
    stability_index: float | None
    leavers: int
    leaver_rate: float | None
    leavers_by_reason: tuple[ReasonCount, ...]


def period_figures(spells: Iterable[Spell], start: date, end: date) -> PeriodFigures:
    """Figures for [start, end] from spells built as of ``end`` or later (so leavers are known)."""
    if end < start:
        raise ValueError("the period ends before it starts")
    spells = list(spells)
    at_start = [s for s in spells if s.in_post_on(start)]
    headcount_end = sum(1 for s in spells if s.in_post_on(end))
    stayed = sum(1 for s in at_start if s.in_post_on(end))
    leavers = [s for s in spells if s.end is not None and start <= s.end <= end]
    mean_headcount = (len(at_start) + headcount_end) / 2
    return PeriodFigures(
        start=start, end=end, headcount_start=len(at_start), headcount_end=headcount_end, stayed=stayed,
        stability_index=stayed / len(at_start) if at_start else None,
        leavers=len(leavers), leaver_rate=len(leavers) / mean_headcount if mean_headcount else None,
        leavers_by_reason=leavers_by_reason(leavers),
    )


def period_figures_from_columns(spells: SpellColumns, start: date, end: date) -> PeriodFigures:
    """:func:`period_figures` over columns."""
    if end < start:
        raise ValueError("the period ends before it starts")
    first, last = start.toordinal(), end.toordinal()
    at_start = (spells.start <= first) & (first <= spells.end)
    at_end = (spells.start <= last) & (last <= spells.end)
    leaving = (spells.end != OPEN_END) & (first <= spells.end) & (spells.end <= last)
    headcount_start, headcount_end = int(np.count_nonzero(at_start)), int(np.count_nonzero(at_end))
    stayed, leavers = int(np.count_nonzero(at_start & at_end)), int(np.count_nonzero(leaving))
    mean_headcount = (headcount_start + headcount_end) / 2
    reasons = spells.leaving_reason
    return PeriodFigures(
        start=start, end=end, headcount_start=headcount_start, headcount_end=headcount_end, stayed=stayed,
        stability_index=stayed / headcount_start if headcount_start else None,
        leavers=leavers, leaver_rate=leavers / mean_headcount if mean_headcount else None,
        leavers_by_reason=reasons_counted(reasons[i] for i in np.flatnonzero(leaving).tolist()),
    )

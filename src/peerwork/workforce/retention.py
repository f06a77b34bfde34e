"""Retention maths, pure: lived-experience spells, Kaplan–Meier, cohort rates, period figures.

The definitions are the contract's ("Retention (exact definitions)"); nothing here touches the
database, so every rule is tested on hand-made rows and against lifelines.

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
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from statistics import NormalDist

YEAR_DAYS = 365
RETENTION_YEARS = (1, 2, 3)
MERGE_GAP_DAYS = 31
CONFIDENCE_ALPHA = 0.05
NOT_RECORDED = "Not recorded"
SMALL_NUMBER = 5
SUPPRESSED = "<5"

# The same z lifelines uses (scipy's norm.ppf(0.975)); NormalDist agrees to the last bit or two.
_Z = NormalDist().inv_cdf(1 - CONFIDENCE_ALPHA / 2)


@dataclass(frozen=True)
class AssignmentRecord:
    """One assignment as retention sees it (only the columns the definitions use)."""

    person: str
    assignment_number: str
    start: date
    end: date | None = None  # last day in the assignment; None = still in post
    team: str | None = None
    band: str | None = None
    leaving_reason: str | None = None


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


# --- spells ---------------------------------------------------------------------------------

def _recency(record: AssignmentRecord, as_of: date) -> tuple:
    in_post_on_as_of = record.end is None or record.end > as_of
    return (date.max if in_post_on_as_of else record.end, record.start, record.assignment_number)


def _spell(group: list[AssignmentRecord], spell_end: date | None, as_of: date) -> Spell:
    start = group[0].start
    end = None if spell_end is None or spell_end > as_of else spell_end
    latest = max((r for r in group if r.start <= as_of), key=lambda r: _recency(r, as_of))
    return Spell(
        person=group[0].person, start=start, end=end,
        duration_days=((end if end is not None else as_of) - start).days,
        team=latest.team, band=latest.band, leaving_reason=latest.leaving_reason,
    )


def iter_spells(assignments: Iterable[AssignmentRecord], as_of: date) -> Iterator[Spell]:
    """Spells from assignments sorted by (person, start), in one pass; spells starting after
    ``as_of`` are left out. Raises ValueError on unsorted input or an end before its start."""
    group: list[AssignmentRecord] = []
    group_end: date | None = None  # None = open (an assignment with no end date)
    previous: AssignmentRecord | None = None
    for record in assignments:
        if record.end is not None and record.end < record.start:
            raise ValueError(f"assignment {record.assignment_number!r} ends before it starts")
        if previous is not None and (record.person, record.start) < (previous.person, previous.start):
            raise ValueError("assignments must be sorted by person, then start date")
        previous = record
        same_spell = (
            group and record.person == group[0].person
            and (group_end is None or (record.start - group_end).days <= MERGE_GAP_DAYS)
        )
        if not same_spell:
            if group and group[0].start <= as_of:
                yield _spell(group, group_end, as_of)
            group, group_end = [], record.end
        elif group_end is not None:
            group_end = None if record.end is None else max(group_end, record.end)
        group.append(record)
    if group and group[0].start <= as_of:
        yield _spell(group, group_end, as_of)


def build_spells(assignments: Iterable[AssignmentRecord], as_of: date) -> list[Spell]:
    """Spells from assignments in any order."""
    return list(iter_spells(sorted(assignments, key=lambda r: (r.person, r.start)), as_of))


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
    """S(365·k) with its 95% interval; None when there are no spells at all."""

    years: int
    days: int
    survival: float | None
    lower: float | None
    upper: float | None
    at_risk: int


def _log_log_interval(log_survival: float, variance: float) -> tuple[float, float]:
    """Exponential Greenwood interval, written as lifelines' KaplanMeierFitter._bounds is."""
    if log_survival == 0.0:
        return 1.0, 1.0  # lifelines' 0/0 there becomes NaN, which it fills with 1
    if log_survival == -math.inf:
        return 0.0, 0.0
    spread = _Z * math.sqrt(variance) / log_survival
    centre = math.log(-log_survival)
    return math.exp(-math.exp(centre - spread)), math.exp(-math.exp(centre + spread))


class KaplanMeier:
    """The product-limit estimate over (duration, left) observations. S(t) includes the events
    at exactly t; between event times it is constant; after the last one it carries on flat."""

    def __init__(self, observations: Iterable[tuple[int, bool]]) -> None:
        observations = list(observations)
        self.durations = sorted(days for days, _ in observations)
        events = Counter(days for days, left in observations if left)
        points = [CurvePoint(0, len(self.durations), 0, 1.0, 1.0, 1.0)]
        log_survival = variance = 0.0
        for days in sorted(events):
            at_risk, died = self.at_risk(days), events[days]
            if died == at_risk:
                log_survival = -math.inf  # lifelines replaces the infinite variance term with 0
            else:
                log_survival += math.log(at_risk - died) - math.log(at_risk)
                variance += died / (at_risk * (at_risk - died))
            point = CurvePoint(days, at_risk, died, math.exp(log_survival), *_log_log_interval(log_survival, variance))
            if days == 0:
                points[0] = point
            else:
                points.append(point)
        if self.durations and self.durations[-1] > points[-1].days:
            # Follow-up continues (censored) past the last event: draw the curve that far.
            last = points[-1]
            points.append(CurvePoint(self.durations[-1], self.at_risk(self.durations[-1]), 0,
                                     last.survival, last.lower, last.upper))
        self.points = tuple(points)
        self._days = [p.days for p in self.points]

    def at_risk(self, days: int) -> int:
        return len(self.durations) - bisect_left(self.durations, days)

    def at(self, days: int) -> CurvePoint:
        """The estimate in force at ``days`` (that of the last point at or before it)."""
        return self.points[bisect_right(self._days, days) - 1]


def kaplan_meier(spells: Sequence[Spell]) -> KaplanMeier:
    return KaplanMeier([(s.duration_days, s.left) for s in spells])


def retention_estimates(spells: Sequence[Spell], years: Iterable[int] = RETENTION_YEARS) -> tuple[SurvivalEstimate, ...]:
    """Kaplan–Meier retention at 365·k days for each k, with its interval and number at risk."""
    if not spells:
        return tuple(SurvivalEstimate(k, YEAR_DAYS * k, None, None, None, 0) for k in years)
    fitted = kaplan_meier(spells)
    estimates = []
    for k in years:
        point = fitted.at(YEAR_DAYS * k)
        estimates.append(SurvivalEstimate(
            k, YEAR_DAYS * k, point.survival, point.lower, point.upper, fitted.at_risk(YEAR_DAYS * k)
        ))
    return tuple(estimates)


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


# --- leavers and a period's stability -----------------------------------------------------------

@dataclass(frozen=True)
class ReasonCount:
    reason: str
    leavers: int


def leavers_by_reason(leavers: Iterable[Spell]) -> tuple[ReasonCount, ...]:
    """Most common first; a missing or blank reason counts as "Not recorded"."""
    counts = Counter((s.leaving_reason or "").strip() or NOT_RECORDED for s in leavers if s.left)
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


# --- small numbers ------------------------------------------------------------------------------

@dataclass(frozen=True)
class DisclosedRate:
    """A rate fit to share: counts below 5 read "<5", and then the rate is withheld."""

    numerator: int | str
    denominator: int | str
    rate: float | None


def disclosed_count(count: int) -> int | str:
    return SUPPRESSED if count < SMALL_NUMBER else count


def disclosed_rate(numerator: int, denominator: int) -> DisclosedRate:
    """For equality breakdowns and figures shared across a network (contract: small numbers)."""
    small = numerator < SMALL_NUMBER or denominator < SMALL_NUMBER
    return DisclosedRate(
        disclosed_count(numerator), disclosed_count(denominator),
        None if small or not denominator else numerator / denominator,
    )

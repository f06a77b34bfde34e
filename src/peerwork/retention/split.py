"""Retention split into groups (by a support received, or by an equality characteristic), fit
to share: pure, no database.

Each group gets its Kaplan–Meier retention at 1, 2 and 3 years (retention.survival, the
headline figure's own code) and its cohort rates, with the small-number rule applied once,
here, for every caller:

- a group of fewer than SMALL_NUMBER (5) *people* shows its counts as "<5" and withholds every
  estimate and rate (and is left off the chart);
- in a group that is shown, a year's Kaplan–Meier estimate is withheld when fewer than 5 spells
  are still at risk then (its number at risk reads "<5"), and a cohort rate is withheld when
  either of its counts is under 5 (core.privacy.disclosed_rate);
- the log-rank test (retention.logrank), when asked for, is withheld unless at least two
  groups are shown and every group is shown: a test over a group whose figures are hidden
  would tell something about it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date


from peerwork.core.privacy import SMALL_NUMBER, SUPPRESSED, disclosed_count, disclosed_rate
from peerwork.retention.logrank import LogRank, logrank
from peerwork.retention.survival import (
    RETENTION_YEARS,
    CurvePoint,
    KaplanMeier,
    cohort_rates_from_arrays,
    estimates_from_arrays,
)
from peerwork.core.lazy import deferred

np = deferred("numpy")  # loaded by the first figure, not at start-up


@dataclass(frozen=True)
class SharedEstimate:
    """Kaplan–Meier retention at ``years``; survival and its interval None when withheld."""

    years: int
    survival: float | None
    lower: float | None
    upper: float | None
    at_risk: int | str  # "<5" when under the small number


@dataclass(frozen=True)
class SharedCohortRate:
    years: int
    retained: int | str
    eligible: int | str
    rate: float | None


@dataclass(frozen=True)
class SplitGroup:
    key: str
    label: str
    people: int | str  # "<5" when under the small number
    spells: int | str
    leavers: int | str
    suppressed: bool  # fewer than 5 people: nothing but "<5" is shown
    retention: tuple[SharedEstimate, ...] = ()
    cohort: tuple[SharedCohortRate, ...] = ()
    # The curve, for the chart only (never in an API answer); empty when suppressed.
    curve: tuple[CurvePoint, ...] = field(default=(), repr=False)


@dataclass(frozen=True)
class Split:
    key: str
    label: str
    groups: tuple[SplitGroup, ...]
    test: LogRank | None = None
    test_withheld: str | None = None  # why there is no test, when one was asked for


@dataclass(frozen=True)
class Observations:
    """The spells to split: durations, events, start day numbers, and whose each one is."""

    duration: np.ndarray
    left: np.ndarray
    start: np.ndarray
    person: Sequence[object]


def _estimates(duration: np.ndarray, left: np.ndarray) -> tuple[SharedEstimate, ...]:
    shared = []
    for e in estimates_from_arrays(duration, left, RETENTION_YEARS):
        small = e.at_risk < SMALL_NUMBER or e.survival is None
        shared.append(SharedEstimate(e.years, None if small else e.survival, None if small else e.lower,
                                     None if small else e.upper, disclosed_count(e.at_risk)))
    return tuple(shared)


def _cohort(start: np.ndarray, duration: np.ndarray, as_of: date) -> tuple[SharedCohortRate, ...]:
    rates = []
    for rate in cohort_rates_from_arrays(start, duration, as_of, RETENTION_YEARS):
        shown = disclosed_rate(rate.retained, rate.eligible)
        rates.append(SharedCohortRate(rate.years, shown.numerator, shown.denominator, shown.rate))
    return tuple(rates)


def split(observations: Observations, group_of: Sequence[str], groups: Sequence[tuple[str, str]], as_of: date, *,
          key: str, label: str, test: bool = False, cohort: bool = True) -> Split:
    """The observations split by ``group_of`` (each spell's group key), groups reported in the
    order of ``groups`` ((key, label) pairs; a spell whose key is not among them is left out)."""
    keys = np.asarray(list(group_of), dtype=object)
    found: list[SplitGroup] = []
    tested: list[tuple[np.ndarray, np.ndarray]] = []
    for group_key, group_label in groups:
        rows = np.flatnonzero(keys == group_key) if len(keys) else np.zeros(0, dtype=np.int64)
        duration, left = observations.duration[rows], observations.left[rows]
        people = len({observations.person[i] for i in rows.tolist()})
        if people < SMALL_NUMBER:
            found.append(SplitGroup(group_key, group_label, disclosed_count(people) if people else 0,
                                    SUPPRESSED if people else 0, SUPPRESSED if people else 0, True))
            continue
        tested.append((duration, left))
        found.append(SplitGroup(
            group_key, group_label, people, len(rows), disclosed_count(int(np.count_nonzero(left))), False,
            _estimates(duration, left),
            _cohort(observations.start[rows], duration, as_of) if cohort else (),
            KaplanMeier(arrays=(duration, left)).points,
        ))
    result, why = None, None
    if test:
        if any(g.suppressed for g in found):
            why = f"Not shown: a group has fewer than {SMALL_NUMBER} people."
        elif len(tested) < 2:
            why = "Not shown: there is only one group to compare."
        elif not any(bool(np.any(left)) for _, left in tested):
            why = "Not shown: nobody has left yet in any group."
        else:
            result = logrank([d for d, _ in tested], [e for _, e in tested])
    return Split(key, label, tuple(found), result, why)

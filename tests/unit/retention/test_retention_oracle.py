"""Retention against independent oracles: lifelines for Kaplan–Meier and its intervals, and a
plain-Python merge by pairwise union (written here, differently again from both production's
merge and the reference in reference.py) for spells and cohort rates."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

lifelines = pytest.importorskip("lifelines")

from peerwork.retention.survival import (
    KaplanMeier,
    cohort_rates,
    retention_estimates,
)
from tests.unit.retention.reference import AssignmentRecord, build_spells
from tests.unit.retention.spells import production_spells

YEARS = (1, 2, 3)
AS_OF_DATES = [date(2024, 2, 29), date(2023, 3, 31), date(2021, 12, 31)]


def generate_assignments(seed: int, people: int = 400) -> list[tuple[AssignmentRecord, bool]]:
    """Careers with role moves (LE and not), gaps either side of 31 days, overlaps, open posts,
    leap-day dates, tied end dates and starts after every as-of date. (record, is LE) pairs."""
    rng = random.Random(seed)
    rows: list[tuple[AssignmentRecord, bool]] = []
    number = 0
    for p in range(people):
        day = date(2015, 1, 1) + timedelta(days=rng.randrange(0, 3600))  # runs into late 2024
        if rng.random() < 0.05:
            day = date(rng.choice([2016, 2020, 2024]), 2, 29)
        for _ in range(rng.randint(1, 5)):
            length = rng.choice([
                rng.randrange(0, 90), rng.randrange(90, 800), rng.randrange(300, 1500), 364, 365, 366, 730, 731, 1095,
            ])
            end = day + timedelta(days=length) if rng.random() < 0.85 else None
            if end is not None and rng.random() < 0.1:
                end = date(end.year, 3, 31) if end.month <= 3 else date(end.year + 1, 3, 31)  # year-end ties
            number += 1
            record = AssignmentRecord(
                person=f"P{p:04d}", assignment_number=f"N{number:06d}", start=day, end=end,
                team=rng.choice(["Oak", "Ash", None]), band=rng.choice(["3", "4", "5", None]),
                leaving_reason=rng.choice(["Resignation", "Retirement", None]),
            )
            rows.append((record, rng.random() < 0.7))
            if end is None and rng.random() < 0.7:
                break
            base = end or day + timedelta(days=rng.randrange(10, 400))
            gap = rng.choice([rng.randint(28, 35), rng.randint(0, 5), rng.randint(-200, -1), rng.randint(36, 500)])
            day = max(base + timedelta(days=gap), day)
    return rows


def lived_experience(rows):
    return [record for record, is_le in rows if is_le]


def reference_spells(records: list[AssignmentRecord], as_of: date) -> list[tuple[str, date, date | None, int]]:
    """Merge by repeated pairwise union until nothing changes: slow, obviously right."""
    far = date.max
    by_person: dict[str, list[list[date]]] = {}
    for r in records:
        by_person.setdefault(r.person, []).append([r.start, r.end or far])
    result = []
    for person, intervals in by_person.items():
        merged = True
        while merged:
            merged = False
            for i in range(len(intervals)):
                for j in range(len(intervals)):
                    a, b = intervals[i], intervals[j]
                    if i != j and a[0] <= b[0] and (b[0] - a[1]).days <= 31:
                        intervals[i] = [a[0], max(a[1], b[1])]
                        del intervals[j]
                        merged = True
                        break
                if merged:
                    break
        for start, end in intervals:
            if start > as_of:
                continue
            finished = end if end <= as_of else None
            result.append((person, start, finished, ((finished or as_of) - start).days))
    return sorted(result)


def reference_cohort_rate(spells, as_of: date, years: int) -> tuple[int, int]:
    retained = eligible = 0
    for _, start, _, duration in spells:
        if (as_of - start).days > 365 * years:
            eligible += 1
            if duration > 365 * years:
                retained += 1
    return retained, eligible


def lifelines_fit(durations, events):
    return lifelines.KaplanMeierFitter().fit(durations, event_observed=events)


def lifelines_at(fitter, days: int) -> tuple[float, float, float]:
    survival = float(fitter.survival_function_at_times([days]).iloc[0])
    # The interval at t is the one at the last timeline point at or before t.
    interval = fitter.confidence_interval_.loc[fitter.confidence_interval_.index <= days].iloc[-1]
    return survival, float(interval.iloc[0]), float(interval.iloc[1])


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("as_of", AS_OF_DATES)
def test_spells_equal_the_reference_merge(seed, as_of):
    records = lived_experience(generate_assignments(seed))
    expected = reference_spells(records, as_of)
    for merge in (production_spells, build_spells):
        assert sorted((s.person, s.start, s.end, s.duration_days) for s in merge(records, as_of)) == expected
    # Labels too (the pairwise union has none): production's merge against reference.py's.
    assert production_spells(records, as_of) == build_spells(records, as_of)


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("as_of", AS_OF_DATES)
def test_one_two_three_year_retention_and_intervals_equal_lifelines(seed, as_of):
    spells = build_spells(lived_experience(generate_assignments(seed)), as_of)
    assert len(spells) > 200 and any(s.left for s in spells) and any(not s.left for s in spells)
    durations = [s.duration_days for s in spells]
    fitter = lifelines_fit(durations, [s.left for s in spells])
    for estimate in retention_estimates(spells):
        expected = lifelines_at(fitter, estimate.days)
        assert (estimate.survival, estimate.lower, estimate.upper) == pytest.approx(expected, abs=1e-9, rel=0)
        assert estimate.at_risk == sum(1 for d in durations if d >= estimate.days)


@pytest.mark.parametrize("seed", [1, 2])
def test_the_whole_curve_equals_lifelines_at_every_point(seed):
    spells = build_spells(lived_experience(generate_assignments(seed)), AS_OF_DATES[0])
    fitter = lifelines_fit([s.duration_days for s in spells], [s.left for s in spells])
    table = fitter.event_table
    for point in KaplanMeier([(s.duration_days, s.left) for s in spells]).points:
        assert (point.survival, point.lower, point.upper) == pytest.approx(lifelines_at(fitter, point.days), abs=1e-9, rel=0)
        assert (point.at_risk, point.events) == (table.loc[point.days, "at_risk"], table.loc[point.days, "observed"])


@pytest.mark.parametrize("observations", [
    [(365, True)] * 3 + [(365, False)] * 2 + [(730, True)] * 4 + [(1095, False)],  # heavy ties at t
    [(0, True), (0, False), (10, True), (400, True), (800, False)],  # events on day 0
    [(100, False), (500, False), (2000, False)],  # nobody left
    [(100, True), (200, True), (300, True)],  # everybody left: S reaches 0
    [(365, True), (366, False), (729, True), (730, True), (731, True), (1094, False), (1095, True), (1096, True)],
])
def test_edge_cases_equal_lifelines(observations):
    fitter = lifelines_fit([d for d, _ in observations], [e for _, e in observations])
    fitted = KaplanMeier(observations)
    for years in YEARS:
        point = fitted.at(365 * years)
        assert (point.survival, point.lower, point.upper) == pytest.approx(lifelines_at(fitter, 365 * years), abs=1e-9, rel=0)


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("as_of", AS_OF_DATES)
def test_cohort_rates_equal_the_reference(seed, as_of):
    records = lived_experience(generate_assignments(seed))
    expected = reference_spells(records, as_of)
    for rate in cohort_rates(build_spells(records, as_of), as_of):
        retained, eligible = reference_cohort_rate(expected, as_of, rate.years)
        assert (rate.retained, rate.eligible) == (retained, eligible)
        assert rate.rate == (retained / eligible if eligible else None)

"""The log-rank test and the per-group Kaplan–Meier figures of a retention split, against
lifelines (an independent implementation) on generated data."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

lifelines = pytest.importorskip("lifelines")
from lifelines import KaplanMeierFitter  # noqa: E402
from lifelines.statistics import logrank_test, multivariate_logrank_test  # noqa: E402

from peerwork.retention.logrank import logrank  # noqa: E402
from peerwork.retention.split import Observations, split  # noqa: E402


def _group(rng: np.random.Generator, size: int, scale: float, leaving: float) -> tuple[np.ndarray, np.ndarray]:
    durations = np.minimum(rng.exponential(scale, size).astype(np.int64), 4000)
    if rng.random() < 0.5:  # ties: durations in whole months
        durations = durations // 30 * 30
    return durations, rng.random(size) < leaving


@pytest.mark.parametrize("seed", range(12))
def test_two_groups_match_lifelines_logrank_test(seed):
    rng = np.random.default_rng(seed)
    (a, ea), (b, eb) = _group(rng, int(rng.integers(5, 300)), 900, 0.7), _group(rng, int(rng.integers(5, 300)), 1300, 0.6)
    ours = logrank([a, b], [ea, eb])
    theirs = logrank_test(a, b, event_observed_A=ea, event_observed_B=eb)
    assert ours.statistic == pytest.approx(theirs.test_statistic, rel=1e-9, abs=1e-12)
    assert ours.p_value == pytest.approx(theirs.p_value, rel=1e-7, abs=1e-15)
    assert ours.degrees_of_freedom == 1
    assert sum(ours.observed) == int(ea.sum() + eb.sum())
    assert sum(ours.expected) == pytest.approx(sum(ours.observed))


@pytest.mark.parametrize("seed", range(6))
def test_three_groups_match_lifelines_multivariate_test(seed):
    rng = np.random.default_rng(100 + seed)
    groups = [_group(rng, int(rng.integers(5, 200)), scale, 0.65) for scale in (700, 1000, 1500)]
    ours = logrank([d for d, _ in groups], [e for _, e in groups])
    theirs = multivariate_logrank_test(np.concatenate([d for d, _ in groups]),
                                       np.repeat(np.arange(3), [len(d) for d, _ in groups]),
                                       np.concatenate([e for _, e in groups]))
    assert ours.statistic == pytest.approx(theirs.test_statistic, rel=1e-9)
    assert ours.p_value == pytest.approx(theirs.p_value, rel=1e-7, abs=1e-15)
    assert ours.degrees_of_freedom == 2


def test_identical_groups_give_no_evidence_of_a_difference():
    durations, left = np.array([100, 400, 800, 1200, 1500]), np.array([True, True, False, True, False])
    result = logrank([durations, durations.copy()], [left, left.copy()])
    assert result.statistic == pytest.approx(0.0, abs=1e-12)
    assert result.p_value == pytest.approx(1.0)


@pytest.mark.parametrize("seed", range(8))
def test_each_groups_kaplan_meier_matches_lifelines(seed):
    rng = np.random.default_rng(200 + seed)
    as_of = date(2025, 3, 31)
    (a, ea), (b, eb) = _group(rng, 150, 800, 0.7), _group(rng, 90, 1400, 0.6)
    duration, left = np.concatenate([a, b]), np.concatenate([ea, eb])
    start = as_of.toordinal() - duration - rng.integers(0, 400, len(duration)) * ~left
    observations = Observations(duration, left, start, [f"P{i}" for i in range(len(duration))])
    keys = ["a"] * len(a) + ["b"] * len(b)
    result = split(observations, keys, [("a", "A"), ("b", "B")], as_of, key="k", label="K", test=True)
    for group, (d, e) in zip(result.groups, ((a, ea), (b, eb))):
        fitter = KaplanMeierFitter().fit(d, e)
        for estimate in group.retention:
            days = 365 * estimate.years
            at_risk = int((d >= days).sum())
            if at_risk < 5:
                assert estimate.survival is None and estimate.at_risk == "<5"
                continue
            assert estimate.at_risk == at_risk
            assert estimate.survival == pytest.approx(float(fitter.survival_function_at_times(days).iloc[0]), rel=1e-12)
            interval = fitter.confidence_interval_survival_function_
            row = interval[interval.index <= days].iloc[-1]
            assert (estimate.lower, estimate.upper) == pytest.approx((row.iloc[0], row.iloc[1]), rel=1e-9)
    assert result.test.statistic == pytest.approx(logrank_test(a, b, ea, eb).test_statistic, rel=1e-9)

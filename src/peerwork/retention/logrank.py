"""The log-rank test: do two or more groups' Kaplan–Meier curves differ by more than chance
would make them? Pure (numpy; scipy only for the chi-square tail, imported when asked).

For every distinct time at which someone left (in any group), the test compares each group's
observed leavers with those expected if leaving did not depend on the group (the leavers at
that time shared out in proportion to the numbers at risk), and weighs the differences by their
hypergeometric variance. With k groups, the statistic is U' V⁻¹ U over the first k - 1 groups
(U: observed minus expected; V: its covariance), chi-square with k - 1 degrees of freedom under
the null hypothesis. This is lifelines' ``logrank_test`` (two groups) and
``multivariate_logrank_test``, which the tests use as the oracle.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from peerwork.core.lazy import deferred

np = deferred("numpy")  # loaded by the first figure, not at start-up



@dataclass(frozen=True)
class LogRank:
    statistic: float
    degrees_of_freedom: int
    p_value: float
    observed: tuple[int, ...]  # leavers per group
    expected: tuple[float, ...]  # leavers per group expected under the null hypothesis


def logrank(durations: Sequence[np.ndarray], left: Sequence[np.ndarray]) -> LogRank:
    """The test over groups given as (durations, left) arrays, one pair per group (two or more
    groups, each with at least one observation)."""
    if len(durations) < 2 or len(durations) != len(left):
        raise ValueError("the log-rank test needs two or more groups")
    if any(len(d) == 0 for d in durations):
        raise ValueError("every group needs at least one observation")
    groups = [(np.sort(np.asarray(d, dtype=np.int64)), np.sort(np.asarray(d, dtype=np.int64)[np.asarray(e, dtype=bool)]))
              for d, e in zip(durations, left)]  # (every duration, the leavers' durations), ascending
    times = np.unique(np.concatenate([gone for _, gone in groups]))
    # at_risk[g, t]: group g's observations lasting at least times[t]; died[g, t]: its leavers then.
    at_risk = np.stack([len(every) - np.searchsorted(every, times, side="left") for every, _ in groups])
    died = np.stack([np.searchsorted(gone, times, side="right") - np.searchsorted(gone, times, side="left")
                     for _, gone in groups])
    at_risk, died = at_risk.astype(np.float64), died.astype(np.float64)
    n, d = at_risk.sum(axis=0), died.sum(axis=0)
    share = at_risk / n  # each group's part of those at risk at each time
    expected = (share * d).sum(axis=1)
    observed = died.sum(axis=1)
    # Hypergeometric covariance: d (n - d) / (n - 1) * share_g (delta_gh - share_h), summed over
    # the times; a time with one person at risk adds nothing.
    spread = np.divide(d * (n - d), n - 1, out=np.zeros_like(n), where=n > 1)
    covariance = _covariance(spread, share)
    u = (observed - expected)[:-1]
    v = covariance[:-1, :-1]
    statistic = float(u @ np.linalg.pinv(v) @ u) if u.size else 0.0
    freedom = len(groups) - 1
    return LogRank(statistic, freedom, chi_square_tail(statistic, freedom),
                   tuple(int(x) for x in observed), tuple(float(x) for x in expected))


def _covariance(spread: np.ndarray, share: np.ndarray) -> np.ndarray:
    """V[g, h] = sum over times of spread * share_g * (1[g = h] - share_h)."""
    diagonal = np.diag((spread * share).sum(axis=1))
    return diagonal - (spread * share) @ share.T


def chi_square_tail(statistic: float, degrees_of_freedom: int) -> float:
    """P(X >= statistic) for X chi-square with that many degrees of freedom."""
    from scipy.stats import chi2  # only the test's p-value needs scipy

    return float(chi2.sf(statistic, degrees_of_freedom))

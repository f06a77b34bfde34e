"""Paired change before and after a course, from the counts of each difference (after minus
before) for one item: the median change, the Wilcoxon signed-rank test and a 95% confidence
interval for the Hodges-Lehmann pseudo-median change. Pure: no database, no web.

Likert answers are small integers, so a course of thousands gives differences from -4 to 4:
working from their counts keeps the Walsh averages (every pairwise mean of differences, which
the Hodges-Lehmann estimate and its interval are read from) to a few dozen distinct values with
multiplicities instead of millions of numbers.

The interval is the distribution-free one that goes with the signed-rank test (Hollander &
Wolfe): with M = n(n+1)/2 Walsh averages sorted, it runs from the C-th to the (M+1-C)-th,
where C = n(n+1)/4 - z * sqrt(n(n+1)(2n+1)/24) rounded to the nearest integer (the normal
approximation, as ordinal data are full of ties), z = 1.96. When C < 1 (very few people) it is
the whole range of the Walsh averages. The test is SciPy's ``wilcoxon`` on the differences
(zeros dropped, its default), imported only when a report is made.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

Z_95 = 1.959963984540054


@dataclass(frozen=True)
class PairedChange:
    n: int  # people who answered the item both before and after
    median_change: float
    pseudo_median: float  # Hodges-Lehmann estimate
    ci_low: float
    ci_high: float
    statistic: float | None  # Wilcoxon's W; None when every difference is zero
    p_value: float | None


def _sorted_counts(counts: Mapping[float, int]) -> list[tuple[float, int]]:
    return sorted((float(v), int(c)) for v, c in counts.items() if c > 0)


def _order_statistic(values: list[tuple[float, int]], k: int) -> float:
    """The k-th smallest (1-based) of values given as (value, multiplicity), sorted by value."""
    seen = 0
    for value, count in values:
        seen += count
        if seen >= k:
            return value
    raise ValueError("k is beyond the number of values")


def median_of_counts(values: list[tuple[float, int]]) -> float:
    total = sum(c for _, c in values)
    if total % 2:
        return _order_statistic(values, total // 2 + 1)
    return (_order_statistic(values, total // 2) + _order_statistic(values, total // 2 + 1)) / 2


def walsh_averages(differences: list[tuple[float, int]]) -> list[tuple[float, int]]:
    """(average, multiplicity) of (d_i + d_j)/2 over all i <= j, sorted by average."""
    found: dict[float, int] = {}
    for i, (a, ca) in enumerate(differences):
        found[a] = found.get(a, 0) + ca * (ca + 1) // 2
        for b, cb in differences[i + 1:]:
            mean = (a + b) / 2
            found[mean] = found.get(mean, 0) + ca * cb
    return sorted(found.items())


def hodges_lehmann(differences: list[tuple[float, int]], z: float = Z_95) -> tuple[float, float, float]:
    """The pseudo-median and its confidence interval (low, high) as described above."""
    n = sum(c for _, c in differences)
    walsh = walsh_averages(differences)
    total = n * (n + 1) // 2
    c = round(n * (n + 1) / 4 - z * math.sqrt(n * (n + 1) * (2 * n + 1) / 24))
    if c < 1:
        return median_of_counts(walsh), walsh[0][0], walsh[-1][0]
    return median_of_counts(walsh), _order_statistic(walsh, c), _order_statistic(walsh, total + 1 - c)


def wilcoxon_test(differences: list[tuple[float, int]]) -> tuple[float | None, float | None]:
    """SciPy's signed-rank test on the differences; (None, None) when all are zero."""
    if all(value == 0 for value, _ in differences):
        return None, None
    import numpy
    from scipy.stats import wilcoxon

    raw = numpy.repeat([v for v, _ in differences], [c for _, c in differences])
    result = wilcoxon(raw)
    return float(result.statistic), float(result.pvalue)


def paired_change(counts: Mapping[float, int]) -> PairedChange | None:
    """The paired change from {difference: how many people}; None when nobody answered both."""
    differences = _sorted_counts(counts)
    if not differences:
        return None
    pseudo, low, high = hodges_lehmann(differences)
    statistic, p_value = wilcoxon_test(differences)
    return PairedChange(n=sum(c for _, c in differences), median_change=median_of_counts(differences),
                        pseudo_median=pseudo, ci_low=low, ci_high=high, statistic=statistic, p_value=p_value)

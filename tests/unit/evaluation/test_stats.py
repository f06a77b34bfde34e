"""The paired change equals SciPy's and NumPy's figures on generated Likert data, and the
report withholds figures at 4 paired people and shows them at 5."""

from __future__ import annotations

import random
from collections import Counter
from statistics import median

import numpy
import pytest
from scipy.stats import wilcoxon

from peerwork.evaluation import stats
from peerwork.evaluation.report import item_change

ITEM = {"key": "k1", "kind": "likert", "text": "I feel confident", "value": "Hope and recovery focus"}


def generated(seed: int, people: int) -> tuple[list[int], list[int]]:
    rng = random.Random(seed)
    before = [rng.randint(1, 5) for _ in range(people)]
    after = [min(5, max(1, b + rng.choice((-1, 0, 0, 1, 1, 2)))) for b in before]
    return before, after


def brute_force_hodges_lehmann(differences: list[int]) -> tuple[float, float, float]:
    walsh = sorted((differences[i] + differences[j]) / 2 for i in range(len(differences))
                   for j in range(i, len(differences)))
    n = len(differences)
    c = round(n * (n + 1) / 4 - stats.Z_95 * (n * (n + 1) * (2 * n + 1) / 24) ** 0.5)
    if c < 1:
        return float(numpy.median(walsh)), walsh[0], walsh[-1]
    return float(numpy.median(walsh)), walsh[c - 1], walsh[len(walsh) - c]


@pytest.mark.parametrize(("seed", "people"), [(1, 5), (2, 12), (3, 40), (4, 97), (5, 300)])
def test_the_paired_change_equals_scipys_on_generated_data(seed, people):
    before, after = generated(seed, people)
    differences = [a - b for a, b in zip(after, before)]
    change = stats.paired_change(Counter(differences))
    expected = wilcoxon(after, before)
    assert change.n == people
    assert change.statistic == pytest.approx(float(expected.statistic))
    assert change.p_value == pytest.approx(float(expected.pvalue))
    assert change.median_change == pytest.approx(median(differences))
    pseudo, low, high = brute_force_hodges_lehmann(differences)
    assert (change.pseudo_median, change.ci_low, change.ci_high) == pytest.approx((pseudo, low, high))
    assert change.ci_low <= change.pseudo_median <= change.ci_high


def test_no_change_at_all_has_no_test_and_a_zero_interval():
    change = stats.paired_change({0: 8})
    assert (change.statistic, change.p_value) == (None, None)
    assert (change.median_change, change.pseudo_median, change.ci_low, change.ci_high) == (0, 0, 0, 0)


def test_nobody_paired_is_no_change():
    assert stats.paired_change({}) is None


def test_median_of_counts_is_the_median():
    rng = random.Random(9)
    for size in (1, 2, 7, 50):
        values = [rng.randint(1, 5) for _ in range(size)]
        assert stats.median_of_counts(sorted(Counter(values).items())) == median(values)


def test_four_paired_people_are_withheld_and_five_are_shown():
    four = item_change(ITEM, {(2, 3): 3, (3, 3): 1})
    assert four.paired == "<5"
    assert (four.median_change, four.pseudo_median, four.ci_low, four.p_value, four.median_before) == (
        None, None, None, None, None)
    five = item_change(ITEM, {(2, 3): 3, (3, 3): 1, (1, 4): 1})
    assert five.paired == 5
    assert five.median_before == 2 and five.median_after == 3 and five.median_change == 1
    expected = wilcoxon([3, 3, 3, 3, 4], [2, 2, 2, 3, 1])
    assert five.p_value == pytest.approx(float(expected.pvalue))

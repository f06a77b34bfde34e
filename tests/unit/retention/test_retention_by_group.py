"""Every group's figures at once (what the breakdowns use) are, to the bit, each group's alone."""

from __future__ import annotations

import random
from datetime import date

import numpy as np
import pytest

from peerwork.retention.survival import (
    cohort_rates_by_group,
    cohort_rates_from_arrays,
    estimates_by_group,
    estimates_from_arrays,
)

AS_OF = date(2026, 3, 31)


def _groups(rng: random.Random) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Random groups of (start days, durations, left): empty ones, tiny ones where everyone
    leaves at once, ties on the anniversaries, durations of 0 and beyond three years."""
    groups = []
    for _ in range(rng.randrange(1, 30)):
        size = rng.choice((0, 1, 2, 3, 5, 8, 40, 300))
        durations = [rng.choice((0, 1, 364, 365, 366, 730, 1095, 1096, rng.randrange(0, 4000))) for _ in range(size)]
        everyone_leaves = rng.random() < 0.2
        left = [everyone_leaves or rng.random() < 0.6 for _ in range(size)]
        start = [AS_OF.toordinal() - d - rng.randrange(0, 400) for d in durations]
        groups.append((np.array(start, dtype=np.int64), np.array(durations, dtype=np.int64), np.array(left, dtype=bool)))
    return groups


@pytest.mark.parametrize("seed", range(40))
def test_estimates_and_cohort_rates_of_all_groups_at_once_equal_each_group_alone(seed):
    rng = random.Random(seed)
    groups = _groups(rng)
    # Spells sorted by group, then by duration within each (what the breakdowns hand over).
    orders = [np.argsort(d, kind="stable") for _, d, _ in groups]
    durations = np.concatenate([d[o] for (_, d, _), o in zip(groups, orders)])
    left = np.concatenate([gone[o] for (_, _, gone), o in zip(groups, orders)])
    bounds = np.concatenate(([0], np.cumsum([len(d) for _, d, _ in groups]))).tolist()
    together = estimates_by_group(durations, left, bounds)
    alone = [estimates_from_arrays(d[o], gone[o], presorted=True) for (_, d, gone), o in zip(groups, orders)]
    assert together == alone  # dataclass equality: every float identical, not merely close

    # Cohort rates take spells in any order with their group numbers: shuffle them.
    start = np.concatenate([s for s, _, _ in groups])
    duration = np.concatenate([d for _, d, _ in groups])
    group = np.repeat(np.arange(len(groups)), [len(s) for s, _, _ in groups])
    shuffle = np.random.default_rng(seed).permutation(len(start))
    rates = cohort_rates_by_group(start[shuffle], duration[shuffle], group[shuffle], len(groups), AS_OF)
    assert rates == [cohort_rates_from_arrays(s, d, AS_OF) for s, d, _ in groups]

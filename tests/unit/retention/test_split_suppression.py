"""The small-number rule on a retention split: 4 people are "<5" with everything withheld,
5 are shown; the test needs every group shown."""

from __future__ import annotations

from datetime import date

import numpy as np

from peerwork.retention.split import Observations, split

AS_OF = date(2025, 3, 31)
GROUPS = [("yes", "Had it"), ("no", "Did not")]


def _observations(sizes: dict[str, int], spells_each: int = 1):
    keys, duration, left, person = [], [], [], []
    for key, size in sizes.items():
        for p in range(size):
            for s in range(spells_each):
                keys.append(key)
                duration.append(200 + 300 * p + 50 * s)
                left.append(p % 2 == 0)
                person.append(f"{key}{p}")
    duration = np.array(duration, dtype=np.int64)
    start = AS_OF.toordinal() - duration - 1500
    return Observations(duration, np.array(left), start, person), keys


def test_four_people_read_under_five_and_everything_is_withheld():
    observations, keys = _observations({"yes": 4, "no": 12})
    result = split(observations, keys, GROUPS, AS_OF, key="k", label="K", test=True)
    small, big = result.groups
    assert small.suppressed and (small.people, small.spells, small.leavers) == ("<5", "<5", "<5")
    assert small.retention == () and small.cohort == () and small.curve == ()
    assert not big.suppressed and big.people == 12
    assert result.test is None and "fewer than 5 people" in result.test_withheld


def test_five_people_are_shown_and_the_test_is_made():
    observations, keys = _observations({"yes": 5, "no": 12})
    result = split(observations, keys, GROUPS, AS_OF, key="k", label="K", test=True)
    five = result.groups[0]
    assert not five.suppressed and five.people == 5 and five.spells == 5
    assert five.leavers == "<5"  # 3 of the 5 left: a count under 5
    assert [e.years for e in five.retention] == [1, 2, 3]
    assert result.test is not None and 0.0 <= result.test.p_value <= 1.0 and result.test_withheld is None


def test_people_not_spells_decide_the_rule():
    # 4 people with 3 spells each: 12 spells, still "<5" people.
    observations, keys = _observations({"yes": 4, "no": 6}, spells_each=3)
    assert split(observations, keys, GROUPS, AS_OF, key="k", label="K").groups[0].suppressed


def test_an_estimate_with_fewer_than_five_at_risk_and_a_small_cohort_count_are_withheld():
    observations, keys = _observations({"yes": 6, "no": 6})
    group = split(observations, keys, GROUPS, AS_OF, key="k", label="K").groups[0]
    # Durations 200, 500, ..., 1700: at 3 years (1095 days) 2 spells remain at risk.
    three = group.retention[2]
    assert three.at_risk == "<5" and three.survival is None and three.lower is None
    one = group.retention[0]
    assert one.at_risk == 5 and one.survival is not None
    # Every spell started long enough ago: 6 eligible each year. Lasting over 1 year: 5 of 6
    # (shown); over 2 years: 4 (a count under 5, so the rate is withheld).
    one_year, two_years = group.cohort[:2]
    assert (one_year.retained, one_year.eligible, one_year.rate) == (5, 6, 5 / 6)
    assert (two_years.retained, two_years.eligible, two_years.rate) == ("<5", 6, None)


def test_an_empty_group_reads_zero_and_the_test_is_withheld():
    observations, keys = _observations({"no": 8})
    result = split(observations, keys, GROUPS, AS_OF, key="k", label="K", test=True)
    assert result.groups[0].people == 0 and result.groups[0].suppressed
    assert result.test is None

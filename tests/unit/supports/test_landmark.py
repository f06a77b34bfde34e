"""What "received a support in the first six months" means, at the window's edges."""

from datetime import date, timedelta

import pytest

from peerwork.supports.landmark import (
    LANDMARK_DAYS,
    HeldSession,
    PairPeriod,
    PersonRecords,
    received,
    sessions_needed,
)

START = date(2024, 1, 10)
LAST = START + timedelta(days=LANDMARK_DAYS - 1)  # the window's last day


def test_a_pair_counts_when_it_overlaps_the_window_by_a_day():
    assert received("pairing", PersonRecords(pairs=[PairPeriod(LAST, None)]), START)
    assert not received("pairing", PersonRecords(pairs=[PairPeriod(LAST + timedelta(days=1), None)]), START)
    assert received("pairing", PersonRecords(pairs=[PairPeriod(START - timedelta(days=90), START)]), START)
    assert not received("pairing", PersonRecords(pairs=[PairPeriod(START - timedelta(days=90),
                                                                   START - timedelta(days=1))]), START)


def test_group_supervision_counts_inside_the_window_only():
    assert received("group_supervision", PersonRecords(group=[START]), START)
    assert received("group_supervision", PersonRecords(group=[LAST]), START)
    assert not received("group_supervision", PersonRecords(group=[LAST + timedelta(days=1)]), START)
    assert not received("group_supervision", PersonRecords(group=[START - timedelta(days=1)]), START)


def test_one_to_one_on_time_needs_as_many_sessions_as_the_agreement_asks():
    assert sessions_needed(28, 7) == 5  # 182 // 35
    assert sessions_needed(365, 7) == 1
    monthly = [HeldSession(START + timedelta(days=35 * i), 28, 7) for i in range(5)]
    assert received("one_to_one_on_time", PersonRecords(one_to_one=monthly), START)
    assert not received("one_to_one_on_time", PersonRecords(one_to_one=monthly[:4]), START)
    # A session after the window does not make up for a missing one.
    late = monthly[:4] + [HeldSession(LAST + timedelta(days=1), 28, 7)]
    assert not received("one_to_one_on_time", PersonRecords(one_to_one=late), START)
    assert not received("one_to_one_on_time", PersonRecords(), START)


def test_under_two_agreements_the_more_frequent_one_sets_the_bar():
    # 4 held: enough for the quarterly agreement (2), not for the monthly one (5).
    sessions = [HeldSession(START + timedelta(days=40 * i), 28, 7) for i in range(3)]
    sessions.append(HeldSession(START + timedelta(days=170), 90, 0))
    assert not received("one_to_one_on_time", PersonRecords(one_to_one=sessions), START)
    quarterly_only = [HeldSession(START + timedelta(days=d), 90, 0) for d in (10, 100)]
    assert received("one_to_one_on_time", PersonRecords(one_to_one=quarterly_only), START)


def test_an_unknown_support_is_an_error():
    with pytest.raises(ValueError):
        received("yoga", PersonRecords(), START)

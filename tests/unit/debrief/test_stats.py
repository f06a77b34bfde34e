"""The debrief figures' pure parts: months, the median wait and the share within an hour, and
the small-number rule; and when a taken slot starts."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest

from peerwork.core.errors import InvalidInput
from peerwork.debrief import stats
from peerwork.debrief.schemas import AcceptIn
from peerwork.debrief.taking import next_quarter, slot

T0 = datetime(2026, 3, 10, 9, 0, tzinfo=timezone.utc)


def _asked(*waits):
    return [(T0, None if w is None else T0 + timedelta(minutes=w)) for w in waits]


def test_months_back_cross_the_year_oldest_first():
    assert stats.months_back(date(2026, 2, 14), 4) == ["2025-11", "2025-12", "2026-01", "2026-02"]


def test_under_five_requests_or_five_accepted_withholds_the_rates():
    small = stats.month_figures("2026-03", _asked(1, 2, 3, 4))
    assert (small.requests, small.accepted, small.median_minutes_to_accept, small.answered_within_hour) == (
        "<5", "<5", None, None)
    few_taken = stats.month_figures("2026-03", _asked(1, 2, 3, 4, None, None))
    assert few_taken.requests == 6 and few_taken.accepted == "<5" and few_taken.median_minutes_to_accept is None


def test_median_and_share_within_an_hour_of_all_requests():
    shown = stats.month_figures("2026-03", _asked(10, 20, 60, 61, 120, None))
    assert shown.median_minutes_to_accept == 60.0 and shown.accepted == 5 and shown.requests == 6
    assert shown.answered_within_hour == round(3 / 6, 3)  # exactly an hour counts as within


def test_a_month_with_no_requests_reads_under_five():
    [empty] = stats.figures(["2026-01"], {})
    assert empty.requests == "<5" and empty.median_minutes_to_accept is None


def test_the_slot_starts_at_the_next_quarter_hour_unless_given_in_uk_time():
    assert next_quarter(T0.replace(minute=7, second=30)) == T0.replace(minute=15)
    assert next_quarter(T0) == T0.replace(minute=15)
    start, end = slot(AcceptIn(minutes=45), T0)
    assert (start, end) == (T0.replace(minute=15), T0.replace(minute=15) + timedelta(minutes=45))
    # 10:00 in London in summer is 09:00 UTC.
    summer = datetime(2026, 7, 1, 8, 0, tzinfo=timezone.utc)
    start, _ = slot(AcceptIn(start_date=date(2026, 7, 1), start_time=time(10)), summer)
    assert start == datetime(2026, 7, 1, 9, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("data", [AcceptIn(start_date=date(2026, 3, 9), start_time=time(9)),
                                  AcceptIn(start_date=date(2026, 3, 20), start_time=time(9)),
                                  AcceptIn(start_date=date(2026, 3, 10))])
def test_a_slot_in_the_past_far_ahead_or_half_given_is_refused(data):
    with pytest.raises(InvalidInput):
        slot(data, T0)

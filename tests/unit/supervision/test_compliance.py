"""Supervision compliance: last held, next scheduled, overdue, share of expected sessions held.

What a user would notice: a PSW flagged overdue a day early (or never), a missed session
counted as supervision, a new starter shown at 0% for months they were not yet employed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from peerwork.supervision.compliance import SessionRecord, assess

LONDON = ZoneInfo("Europe/London")


def session(day: date, status: str, at: time = time(10)) -> SessionRecord:
    return SessionRecord(datetime.combine(day, at, tzinfo=LONDON).astimezone(UTC), status)


# Every 28 days with 7 days' grace, since Mon 5 Jan 2026; assessed on Fri 15 Jan 2027.
HISTORY = [
    session(date(2026, 2, 2), "held"),
    session(date(2026, 3, 2), "held"),
    session(date(2026, 3, 30), "cancelled"),
    session(date(2026, 4, 27), "held"),
    session(date(2026, 6, 22), "held"),
    session(date(2026, 8, 17), "did_not_attend"),
    session(date(2026, 9, 14), "held"),
    session(date(2026, 10, 12), "held"),
    session(date(2026, 11, 9), "held"),
    session(date(2026, 12, 7), "did_not_attend"),
    session(date(2027, 1, 4), "cancelled"),
    session(date(2027, 2, 15), "scheduled"),
    session(date(2027, 1, 18), "scheduled"),
    session(date(2026, 12, 20), "scheduled"),  # in the past and never marked: not "next"
]


def test_a_year_of_history_worked_by_hand():
    result = assess(HISTORY, every_days=28, grace_days=7, agreement_start=date(2026, 1, 5), today=date(2027, 1, 15))
    # Last held 9 Nov 2026; due by 9 Nov + 28 + 7 = 14 Dec 2026.
    assert result.last_held == date(2026, 11, 9)
    assert result.due_by == date(2026, 12, 14)
    # 15 Jan is 17 days after 14 Dec to the end of December, plus 15: 32 days overdue.
    assert (result.overdue, result.days_overdue) == (True, 32)
    assert result.next_scheduled == date(2027, 1, 18)
    # 12 months: 16 Jan 2026 to 15 Jan 2027 (365 days, after the 5 Jan start): 365 // 28 = 13
    # expected; held in it: 2 Feb, 2 Mar, 27 Apr, 22 Jun, 14 Sep, 12 Oct, 9 Nov = 7.
    assert (result.expected_12m, result.held_12m) == (13, 7)
    assert result.share_12m == pytest.approx(7 / 13)
    # 6 months: 18 Jul 2026 to 15 Jan 2027 (182 days): 182 // 28 = 6 expected; held 14 Sep,
    # 12 Oct, 9 Nov = 3 (the August and December did-not-attends do not count).
    assert (result.expected_6m, result.held_6m) == (6, 3)
    assert result.share_6m == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("today", "overdue", "days_overdue"),
    [
        (date(2027, 3, 7), False, 0),
        (date(2027, 3, 8), False, 0),  # exactly on due_by: not yet overdue
        (date(2027, 3, 9), True, 1),
        (date(2027, 4, 7), True, 30),
    ],
)
def test_overdue_starts_the_day_after_due_by(today, overdue, days_overdue):
    # Held 1 Feb 2027; every 28 days + 7 grace: due by 8 Mar 2027.
    result = assess([session(date(2027, 2, 1), "held")], every_days=28, grace_days=7,
                    agreement_start=date(2027, 1, 4), today=today)
    assert result.due_by == date(2027, 3, 8)
    assert (result.overdue, result.days_overdue) == (overdue, days_overdue)


def test_a_missed_or_cancelled_session_does_not_reset_the_clock():
    sessions = [session(date(2027, 2, 1), "held"), session(date(2027, 3, 1), "did_not_attend"),
                session(date(2027, 3, 2), "cancelled")]
    result = assess(sessions, every_days=28, grace_days=7, agreement_start=date(2027, 1, 4), today=date(2027, 3, 9))
    assert result.last_held == date(2027, 2, 1)
    assert (result.overdue, result.days_overdue) == (True, 1)


def test_with_nothing_held_the_clock_runs_from_the_agreement_start():
    start = date(2027, 1, 4)
    on_due = assess([], every_days=28, grace_days=7, agreement_start=start, today=date(2027, 2, 8))
    assert (on_due.last_held, on_due.due_by, on_due.overdue) == (None, date(2027, 2, 8), False)
    day_after = assess([], every_days=28, grace_days=7, agreement_start=start, today=date(2027, 2, 9))
    assert (day_after.overdue, day_after.days_overdue) == (True, 1)


def test_windows_are_clipped_at_the_agreement_start():
    # Started 1 Dec 2026; on 15 Jan 2027 both windows cover 1 Dec to 15 Jan: 31 + 15 = 46
    # days, so 46 // 28 = 1 session expected, not 6 or 13.
    sessions = [session(date(2026, 11, 20), "held"), session(date(2026, 12, 10), "held")]
    result = assess(sessions, every_days=28, grace_days=7, agreement_start=date(2026, 12, 1), today=date(2027, 1, 15))
    assert (result.expected_6m, result.held_6m, result.share_6m) == (1, 1, 1.0)
    assert (result.expected_12m, result.held_12m, result.share_12m) == (1, 1, 1.0)


def test_a_new_agreement_has_no_share_yet():
    # Started 4 Jan; on 30 Jan the window covers 27 days (today included), under 28: nothing
    # expected yet, so no share; on 31 Jan it covers 28: one expected.
    young = assess([], every_days=28, grace_days=7, agreement_start=date(2027, 1, 4), today=date(2027, 1, 30))
    assert (young.expected_6m, young.share_6m, young.expected_12m, young.share_12m) == (0, None, 0, None)
    assert young.overdue is False
    covered = assess([], every_days=28, grace_days=7, agreement_start=date(2027, 1, 4), today=date(2027, 1, 31))
    assert (covered.expected_6m, covered.held_6m, covered.share_6m) == (1, 0, 0.0)
    future = assess([], every_days=28, grace_days=7, agreement_start=date(2027, 3, 1), today=date(2027, 1, 31))
    assert (future.expected_12m, future.share_12m, future.overdue) == (0, None, False)


def test_share_is_capped_at_one_when_more_are_held_than_expected():
    weekly = [session(date(2027, 1, 4) + timedelta(weeks=n), "held") for n in range(8)]
    result = assess(weekly, every_days=28, grace_days=7, agreement_start=date(2027, 1, 4), today=date(2027, 3, 1))
    # 4 Jan to 1 Mar is 57 days: 2 expected, 8 held.
    assert (result.expected_6m, result.held_6m, result.share_6m) == (2, 8, 1.0)


def test_dates_are_london_dates():
    # 00:30 on 18 Jul 2026 in London is 23:30 UTC on the 17th: it is inside the 6-month
    # window that starts on 18 Jul, and it is the last held date, the 18th.
    late = SessionRecord(datetime(2026, 7, 17, 23, 30, tzinfo=UTC), "held")
    result = assess([late], every_days=28, grace_days=7, agreement_start=date(2026, 1, 5), today=date(2027, 1, 15))
    assert result.last_held == date(2026, 7, 18)
    assert result.held_6m == 1
    earlier = SessionRecord(datetime(2026, 7, 17, 22, 30, tzinfo=UTC), "held")  # 23:30 on the 17th in London
    assert assess([earlier], every_days=28, grace_days=7, agreement_start=date(2026, 1, 5),
                  today=date(2027, 1, 15)).held_6m == 0


def test_a_held_session_dated_in_the_future_is_ignored():
    result = assess([session(date(2027, 2, 1), "held")], every_days=28, grace_days=0,
                    agreement_start=date(2027, 1, 4), today=date(2027, 1, 20))
    assert result.last_held is None


def test_an_unknown_status_is_refused_not_silently_ignored():
    with pytest.raises(ValueError, match="'Held'"):
        assess([session(date(2027, 1, 4), "Held")], every_days=28, grace_days=7,
               agreement_start=date(2027, 1, 4), today=date(2027, 1, 20))

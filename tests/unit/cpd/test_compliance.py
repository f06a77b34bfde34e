"""CPD compliance boundaries: expiring within 60 days, expired on the expiry day, day-one induction."""

from datetime import date, timedelta

import pytest

from peerwork.cpd.compliance import add_months, course_status, expires_on, induction_late

TODAY = date(2026, 6, 15)


@pytest.mark.parametrize(("days_left", "status"), [
    (61, "done"), (60, "expiring"), (1, "expiring"), (0, "expired"), (-1, "expired"), (-400, "expired"),
])
def test_status_around_the_sixty_day_and_expiry_boundaries(days_left, status):
    expiry = TODAY + timedelta(days=days_left)
    done = date(expiry.year - 1, expiry.month, expiry.day)  # 12-month renewal
    assert expires_on(done, 12) == expiry
    assert course_status("c", "Core", 12, done, None, TODAY).status == status


def test_never_done_is_due_unless_booked_and_no_renewal_never_expires():
    assert course_status("c", "Core", 12, None, None, TODAY).status == "due"
    assert course_status("c", "Core", 12, None, TODAY + timedelta(days=3), TODAY).status == "booked"
    done = course_status("c", "Core", None, date(2001, 1, 1), None, TODAY)
    assert (done.status, done.expires_on) == ("done", None)


def test_add_months_keeps_the_day_or_takes_the_months_last():
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2025, 11, 30), 3) == date(2026, 2, 28)


def test_training_from_day_one():
    start = TODAY - timedelta(days=3)
    assert induction_late(start, [], 14, TODAY)  # nothing booked yet: flagged from day one
    assert not induction_late(start, [start + timedelta(days=14)], 14, TODAY)  # booked on the limit
    assert induction_late(start, [start + timedelta(days=15)], 14, TODAY)  # booked too late
    assert not induction_late(TODAY - timedelta(days=400), [], 14, TODAY)  # not a new starter
    assert not induction_late(None, [], 14, TODAY)

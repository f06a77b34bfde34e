"""Amounts due for involvement: whole pence from an hourly rate and whole minutes."""

from __future__ import annotations

from decimal import Decimal

import pytest

from peerwork.coproduction.money import (
    amount_pence, hours, line_amount, minutes_from_hours, pence_from_pounds, pounds,
)


@pytest.mark.parametrize(("rate", "minutes", "expected"), [
    (2000, 60, 2000),      # an hour at £20
    (2000, 90, 3000),      # an hour and a half
    (1000, 25, 417),       # 416.67 rounds up
    (1000, 20, 333),       # 333.33 rounds down
    (1010, 3, 51),         # 50.5: a half rounds up
    (1250, 1, 21),         # 20.83
    (0, 120, 0),           # an unpaid kind
    (1000, -25, -417),     # a correction taking time off rounds the same way, mirrored
    (1010, -3, -51),
])
def test_the_amount_is_rate_times_minutes_over_60_rounded_to_the_penny_halves_up(rate, minutes, expected):
    assert amount_pence(rate, minutes) == expected


def test_no_payment_means_nothing_due_for_the_time_and_a_voucher_the_same_as_paid():
    assert line_amount(2000, 90, "none") == 0
    assert line_amount(2000, 90, "voucher") == line_amount(2000, 90, "paid") == 3000


def test_pounds_always_have_two_decimals_and_never_become_a_float():
    assert str(pounds(1250)) == "12.50"
    assert str(pounds(5)) == "0.05"
    assert str(pounds(0)) == "0.00"
    assert str(pounds(-417)) == "-4.17"
    assert isinstance(pounds(1), Decimal)
    assert str(hours(90)) == "1.50" and str(hours(20)) == "0.33"


@pytest.mark.parametrize(("text", "minutes"), [("1.5", "90"), ("1.25", "75"), ("2", "120"), (" 0.75 ", "45")])
def test_hours_typed_by_a_person_become_whole_minutes(text, minutes):
    assert minutes_from_hours(text) == int(minutes)


@pytest.mark.parametrize("text", ["0.33", "abc", "-1", "25", "NaN", "Infinity", ""])
def test_hours_that_are_not_whole_minutes_or_not_a_sensible_day_are_refused(text):
    with pytest.raises(ValueError):
        minutes_from_hours(text)


def test_expenses_in_pounds_become_pence_and_fractions_of_a_penny_are_refused():
    assert pence_from_pounds("12.50") == 1250
    assert pence_from_pounds("£7.5") == 750
    assert pence_from_pounds("") == 0
    for bad in ("1.005", "-2", "ten", "1e9"):
        with pytest.raises(ValueError):
            pence_from_pounds(bad)

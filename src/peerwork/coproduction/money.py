"""Money and time for involvement payments, as whole pence and whole minutes: no floats.

Rounding, stated once: an amount is the hourly rate times the minutes over 60, rounded to the
nearest penny with halves rounded up (away from zero), so 25 minutes at 1,000p an hour is
417p (416.67) and 3 minutes at 1,010p is 51p (50.5). Hours typed by a person must come to
whole minutes (1.5, 1.25, 0.75 are fine; 0.33 is refused rather than quietly rounded).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

PREFERENCES = ("paid", "voucher", "none")
MAX_MINUTES = 24 * 60
MAX_PENCE = 10_000_000  # £100,000: far above any involvement payment; stops a typo


def amount_pence(rate_pence_per_hour: int, minutes: int) -> int:
    """The rate for ``minutes`` of involvement, rounded to the penny, halves up (away from zero)."""
    product = rate_pence_per_hour * minutes
    sign = -1 if product < 0 else 1
    return sign * ((abs(product) * 2 + 60) // 120)


def line_amount(rate_pence_per_hour: int, minutes: int, preference: str) -> int:
    """What is due for the time itself: nothing when the person chose not to be paid."""
    return 0 if preference == "none" else amount_pence(rate_pence_per_hour, minutes)


def pounds(pence: int) -> Decimal:
    """Pence as pounds with exactly two decimals (a Decimal, so a CSV cell is never a float)."""
    return (Decimal(pence) / 100).quantize(Decimal("0.01"))


def hours(minutes: int) -> Decimal:
    """Minutes as hours, two decimals (20 minutes -> 0.33): for reading, never for sums."""
    return (Decimal(minutes) / 60).quantize(Decimal("0.01"))


def _decimal(text: str, what: str) -> Decimal:
    try:
        value = Decimal(text.strip().lstrip("£"))
    except InvalidOperation:
        raise ValueError(f"{what} must be a number, e.g. 1.5") from None
    if not value.is_finite() or value < 0:
        raise ValueError(f"{what} must be a number, e.g. 1.5")
    return value


def minutes_from_hours(text: str) -> int:
    """"1.5" -> 90. Refuses what is not whole minutes or more than a day."""
    value = _decimal(text, "hours") * 60
    if value != value.to_integral_value():
        raise ValueError("hours must come to whole minutes, e.g. 1.5 or 1.25")
    if value > MAX_MINUTES:
        raise ValueError("hours must be at most 24")
    return int(value)


def pence_from_pounds(text: str) -> int:
    """"12.50" or "£12.5" -> 1250; an empty box is 0. Refuses fractions of a penny."""
    if not text.strip():
        return 0
    value = _decimal(text, "expenses") * 100
    if value != value.to_integral_value():
        raise ValueError("an amount in pounds has at most two decimals")
    if value > MAX_PENCE:
        raise ValueError("the amount is too large")
    return int(value)

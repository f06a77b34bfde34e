"""Small numbers, for figures that leave an organisation: a count of 0-4 reads "<5", and a
rate computed from such a count (numerator or denominator) is withheld. Pure, and the one
place the rule is applied to network figures (built on :mod:`peerwork.core.privacy`, the rule
equality monitoring uses too)."""

from __future__ import annotations

from msgspec import Struct

from peerwork.core.privacy import SMALL_NUMBER, disclosed_count, disclosed_rate


class Count(Struct):
    """A count that may be suppressed: ``value`` None (and ``shown`` "<5") below 5."""

    value: int | None
    shown: str


def count(number: int) -> Count:
    shown = disclosed_count(number)
    return Count(value=None, shown=shown) if isinstance(shown, str) else Count(value=number, shown=str(number))


def rate(numerator: int, denominator: int) -> float | None:
    """numerator / denominator, or None when either is under 5 (or the denominator is 0)."""
    return disclosed_rate(numerator, denominator).rate


def withheld_below(value: float | None, basis: int) -> float | None:
    """A figure resting on ``basis`` people (a mean over hires, a survival estimate over those
    at risk): withheld when that basis is under 5."""
    return None if value is None or basis < SMALL_NUMBER else value

"""Small numbers: figures that leave a page of named people (equality monitoring, anything
shared across a network) show counts below 5 as "<5" and withhold the rate."""

from __future__ import annotations

from dataclasses import dataclass

SMALL_NUMBER = 5
SUPPRESSED = "<5"


@dataclass(frozen=True)
class DisclosedRate:
    """A rate fit to share: counts below 5 read "<5", and then the rate is withheld."""

    numerator: int | str
    denominator: int | str
    rate: float | None


def disclosed_count(count: int) -> int | str:
    return SUPPRESSED if count < SMALL_NUMBER else count


def disclosed_rate(numerator: int, denominator: int) -> DisclosedRate:
    small = numerator < SMALL_NUMBER or denominator < SMALL_NUMBER
    return DisclosedRate(
        disclosed_count(numerator), disclosed_count(denominator),
        None if small or not denominator else numerator / denominator,
    )

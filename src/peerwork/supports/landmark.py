"""What "received a support" means for one lived-experience spell. Pure: no database.

A support is judged on the spell's first LANDMARK_DAYS (182 days, six months: the window
``start <= day < start + 182``), never later, so staying longer cannot by itself earn it (see
peerwork.supports.retention for why):

- **pairing**: in a confirmed pair (either side: new or experienced peer) for at least one day
  of the window: the pair starts before the window ends and has not ended before it starts;
- **one_to_one_on_time**: 1:1 peer supervision held on time through the window: at least
  ``max(1, 182 // (every_days + grace_days))`` held 1:1 sessions dated in it, ``every_days`` and
  ``grace_days`` being those of the agreement the sessions were held under (the most frequent
  one, if they were held under several) -- as many as the agreement asks for, allowing its
  grace each time;
- **group_supervision**: attended at least one group peer supervision session dated in the window.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

LANDMARK_DAYS = 182

# key -> (what is compared, the group that received it, the group that did not)
SUPPORTS_COMPARED = {
    "pairing": ("Having a pair", "Had a pair", "No pair"),
    "one_to_one_on_time": ("1:1 peer supervision held on time", "1:1 supervision on time",
                           "1:1 supervision not on time or none"),
    "group_supervision": ("Group peer supervision", "Attended group supervision", "No group supervision"),
}


@dataclass(frozen=True)
class PairPeriod:
    start: date
    end: date | None  # None: still paired


@dataclass(frozen=True)
class HeldSession:
    day: date
    every_days: int
    grace_days: int


@dataclass
class PersonRecords:
    """One person's records of the three supports."""

    pairs: list[PairPeriod] = field(default_factory=list)
    one_to_one: list[HeldSession] = field(default_factory=list)
    group: list[date] = field(default_factory=list)

    def first_days(self) -> Iterator[date]:
        """The first day of each record: when the organisation's records begin."""
        yield from (p.start for p in self.pairs)
        yield from (s.day for s in self.one_to_one)
        yield from self.group


def sessions_needed(every_days: int, grace_days: int) -> int:
    """Held 1:1 sessions in the window that make supervision "on time" under that agreement."""
    return max(1, LANDMARK_DAYS // max(1, every_days + grace_days))


def received(support: str, records: PersonRecords, start: date) -> bool:
    """Whether the spell starting on ``start`` received ``support`` in its first six months."""
    end = start + timedelta(days=LANDMARK_DAYS)  # the window's first day after it

    def inside(day: date) -> bool:
        return start <= day < end

    if support == "pairing":
        return any(p.start < end and (p.end is None or p.end >= start) for p in records.pairs)
    if support == "one_to_one_on_time":
        held = [s for s in records.one_to_one if inside(s.day)]
        if not held:
            return False
        return len(held) >= max(sessions_needed(s.every_days, s.grace_days) for s in held)
    if support == "group_supervision":
        return any(inside(day) for day in records.group)
    raise ValueError(f"unknown support {support!r}")

"""Supervision compliance for one agreement: when it was last held, whether it is overdue. Pure.

Definitions (dates are London dates of the session start; ``today`` is a London date):

- **Held** means status ``held`` only; ``did_not_attend``, ``cancelled``, ``scheduled`` and
  ``proposed`` never count, and a "held" session dated after ``today`` is ignored.
- ``last_held``: the latest held session's date, or None.
- ``due_by`` = (``last_held``, or ``agreement_start`` when none was held) + ``every_days`` +
  ``grace_days``. The agreement is **overdue** when ``today > due_by``; ``days_overdue`` is
  ``(today - due_by).days`` then, else 0. So on ``due_by`` itself it is not yet overdue.
- Windows: 6 months is the 182 days and 12 months the 365 days ending with ``today``
  (``today`` included), starting no earlier than ``agreement_start``. ``window_days`` is the
  number of days the window covers (0 when the agreement starts after today).
- ``expected`` = ``window_days // every_days``; ``held`` = held sessions dated in the window;
  ``share`` = min(held / expected, 1.0), or None when nothing was expected yet.
- ``next_scheduled``: the earliest session with status ``scheduled`` dated today or later.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from peerwork.core.time import LONDON

STATUSES = frozenset({"proposed", "scheduled", "held", "cancelled", "did_not_attend", "moved"})
SIX_MONTHS_DAYS = 182
TWELVE_MONTHS_DAYS = 365


@dataclass(frozen=True)
class SessionRecord:
    start: datetime  # aware
    status: str  # one of STATUSES


@dataclass(frozen=True)
class Compliance:
    last_held: date | None
    next_scheduled: date | None
    due_by: date
    overdue: bool
    days_overdue: int
    expected_6m: int
    held_6m: int
    share_6m: float | None
    expected_12m: int
    held_12m: int
    share_12m: float | None


def assess(
    sessions: Iterable[SessionRecord], *, every_days: int, grace_days: int, agreement_start: date, today: date,
) -> Compliance:
    """The figures defined in the module docstring, for one agreement's sessions."""
    if every_days < 1:
        raise ValueError("every_days must be at least 1")
    if grace_days < 0:
        raise ValueError("grace_days must not be negative")
    held: list[date] = []
    upcoming: list[date] = []
    for session in sessions:
        if session.status not in STATUSES:
            raise ValueError(f"Unknown session status {session.status!r}; expected one of {sorted(STATUSES)}.")
        if session.start.tzinfo is None:
            raise ValueError("Session starts must be timezone-aware.")
        day = session.start.astimezone(LONDON).date()
        if session.status == "held" and day <= today:
            held.append(day)
        elif session.status == "scheduled" and day >= today:
            upcoming.append(day)

    last_held = max(held, default=None)
    due_by = (last_held or agreement_start) + timedelta(days=every_days + grace_days)
    overdue = today > due_by
    expected_6m, held_6m, share_6m = _window(held, SIX_MONTHS_DAYS, every_days, agreement_start, today)
    expected_12m, held_12m, share_12m = _window(held, TWELVE_MONTHS_DAYS, every_days, agreement_start, today)
    return Compliance(
        last_held=last_held,
        next_scheduled=min(upcoming, default=None),
        due_by=due_by,
        overdue=overdue,
        days_overdue=(today - due_by).days if overdue else 0,
        expected_6m=expected_6m, held_6m=held_6m, share_6m=share_6m,
        expected_12m=expected_12m, held_12m=held_12m, share_12m=share_12m,
    )


def _window(held: list[date], days: int, every_days: int, agreement_start: date,
            today: date) -> tuple[int, int, float | None]:
    first = max(today - timedelta(days=days - 1), agreement_start)
    window_days = max(0, (today - first).days + 1)
    expected = window_days // every_days
    count = sum(1 for d in held if first <= d <= today)
    share = min(count / expected, 1.0) if expected else None
    return expected, count, share

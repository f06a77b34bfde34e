"""Recurrence in Europe/London: expand an RFC 5545 RRULE into UTC instants. Pure.

A series says "10:00 on the first Tuesday"; that stays 10:00 on the wall clock across the
clock changes, so the rule is expanded in London local time and only then turned into UTC.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from dateutil.rrule import rrulestr

from peerwork.core.time import LONDON, london

_ALLOWED_FREQ = {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}
_ORDINAL_DAY = re.compile(r"^[+-]?\d+(MO|TU|WE|TH|FR|SA|SU)$")


class RecurrenceError(ValueError):
    """A rule peerwork will not store, with the reason in words."""


def check_rrule(rule: str) -> str:
    """Normalise and check an RRULE value (without the ``RRULE:`` prefix)."""
    rule = rule.strip().upper().removeprefix("RRULE:")
    parts = dict(p.split("=", 1) for p in rule.split(";") if "=" in p)
    if not rule or len(parts) != len([p for p in rule.split(";") if p]):
        raise RecurrenceError(f"{rule!r} is not an RRULE (e.g. FREQ=MONTHLY;BYDAY=1TU)")
    if parts.get("FREQ") not in _ALLOWED_FREQ:
        raise RecurrenceError("FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY")
    days = [d for d in parts.get("BYDAY", "").split(",") if d]
    if parts["FREQ"] == "MONTHLY" and sum(bool(_ORDINAL_DAY.match(d)) for d in days) > 1:
        # Outlook refuses monthly rules with several ordinal weekdays: one series per rule.
        raise RecurrenceError("use one series per monthly day (e.g. BYDAY=1TU and BYDAY=3TU separately)")
    if "UNTIL" in parts and not parts["UNTIL"].endswith("Z"):
        raise RecurrenceError("UNTIL must be in UTC (end with Z), as RFC 5545 requires with a time zone")
    try:
        rrulestr(f"RRULE:{rule}", dtstart=datetime(2026, 1, 1, 10, tzinfo=LONDON))
    except (ValueError, TypeError) as exc:
        raise RecurrenceError(f"{rule!r} is not a valid RRULE: {exc}") from None
    return rule


def starts_between(first_start: datetime, rule: str, after: datetime, before: datetime) -> list[datetime]:
    """UTC starts of the series in [after, before). ``first_start`` is aware (any zone)."""
    local_first = first_start.astimezone(LONDON)
    # dateutil keeps the wall-clock time when dtstart carries a zone, which is what we want.
    recurrence = rrulestr(f"RRULE:{rule}", dtstart=local_first)
    result = []
    for start in recurrence.between(after.astimezone(LONDON) - timedelta(days=1), before.astimezone(LONDON), inc=True):
        instant = london(start.replace(tzinfo=None)).astimezone(timezone.utc)
        if after <= instant < before:
            result.append(instant)
    return result


def until_before(rule: str, cut: datetime) -> str:
    """The same rule ending just before ``cut`` (for "change the series from this date")."""
    until = (cut.astimezone(timezone.utc) - timedelta(seconds=1)).strftime("%Y%m%dT%H%M%SZ")
    parts = [p for p in rule.split(";") if not p.startswith(("UNTIL=", "COUNT="))]
    return ";".join([*parts, f"UNTIL={until}"])

"""CPD compliance maths (pure): when training expires, each course's status, day-one induction."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

EXPIRING_WITHIN_DAYS = 60
NEW_STARTER_DAYS = 365

STATUSES = ("due", "booked", "done", "expiring", "expired")


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it has no such day)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def expires_on(done_on: date, renewal_months: int | None) -> date | None:
    """The first day the training no longer counts; None when it never expires."""
    return None if renewal_months is None else add_months(done_on, renewal_months)


@dataclass(frozen=True)
class CourseStatus:
    course_id: str
    title: str
    status: str  # due | booked | done | expiring | expired
    done_on: date | None
    expires_on: date | None


def course_status(course_id: str, title: str, renewal_months: int | None, last_done: date | None,
                  booked_on: date | None, today: date) -> CourseStatus:
    """Done and valid beyond 60 days: done; valid for 60 days or fewer: expiring; past its
    expiry: expired; never done: booked if a date is booked, else due."""
    if last_done is None:
        return CourseStatus(course_id, title, "booked" if booked_on else "due", None, None)
    until = expires_on(last_done, renewal_months)
    if until is None or (until - today).days > EXPIRING_WITHIN_DAYS:
        status = "done"
    elif until > today:
        status = "expiring"
    else:
        status = "expired"
    return CourseStatus(course_id, title, status, last_done, until)


def induction_late(started_on: date | None, induction_dates: list[date], within_days: int, today: date) -> bool:
    """Training from day one: a new starter (started within the last year) whose induction is
    not booked or done on a date within ``within_days`` of starting."""
    if started_on is None or (today - started_on).days > NEW_STARTER_DAYS or started_on > today:
        return False
    limit = started_on + timedelta(days=within_days)
    return not any(d <= limit for d in induction_dates)

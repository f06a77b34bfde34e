"""Grouping the spaces list by UK week: Monday starts a week in London time, and a series with
several dates in one week is one compact row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from uuid import UUID, uuid4

from peerwork.community.weeks import by_week, count_dates, week_heading


@dataclass(frozen=True)
class Date:
    series_id: UUID
    start: datetime


DEBRIEF, MONTHLY = uuid4(), uuid4()


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


def test_a_series_meeting_daily_is_one_row_per_week_and_a_monthly_one_a_card():
    dates = [Date(DEBRIEF, utc(2026, 12, d, 16, 30)) for d in (7, 8, 9, 10, 11, 14, 15)]
    dates.append(Date(MONTHLY, utc(2026, 12, 1, 13)))
    weeks = by_week(reversed(dates))  # any order in, earliest first out
    assert [w.monday for w in weeks] == [date(2026, 11, 30), date(2026, 12, 7), date(2026, 12, 14)]
    assert [(r.series_id, len(r.dates), r.compact) for r in weeks[1].rows] == [(DEBRIEF, 5, True)]
    assert [(r.series_id, r.compact) for r in weeks[0].rows] == [(MONTHLY, False)]
    assert [d.start.day for d in weeks[2].rows[0].dates] == [14, 15]
    assert count_dates(weeks) == len(dates)


def test_the_week_is_the_uk_week_not_the_utc_one():
    # 23:30 UTC on Sunday 28 June is 00:30 on Monday 29 June in London (BST): the new week.
    weeks = by_week([Date(DEBRIEF, utc(2026, 6, 28, 23, 30))])
    assert weeks[0].monday == date(2026, 6, 29)
    # In winter London is on UTC: 23:30 on a Sunday stays in that week.
    assert by_week([Date(DEBRIEF, utc(2026, 12, 13, 23, 30))])[0].monday == date(2026, 12, 7)


def test_rows_in_a_week_follow_their_first_date():
    weeks = by_week([Date(MONTHLY, utc(2026, 12, 10, 9)), Date(DEBRIEF, utc(2026, 12, 8, 9)),
                     Date(DEBRIEF, utc(2026, 12, 11, 9))])
    assert [r.series_id for r in weeks[0].rows] == [DEBRIEF, MONTHLY]


def test_week_headings_read_as_people_say_them():
    today = date(2026, 12, 2)  # a Wednesday
    assert week_heading(date(2026, 11, 30), today) == "This week"
    assert week_heading(date(2026, 12, 7), today) == "Next week"
    assert week_heading(date(2026, 12, 14), today) == "Week of Monday 14 December"
    assert week_heading(date(2027, 1, 4), today) == "Week of Monday 4 January"

"""Proposing supervision sessions over a year.

What a user would notice: two sessions booked for the same supervisor at once, a session on
Good Friday or at a weekend, a session outside their hours or an hour off after the clocks
change, an agreement that silently gets fewer sessions, a different plan each time they ask.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from peerwork.supervision.scheduling import (
    WORKING_HOURS,
    Busy,
    Proposal,
    Request,
    bank_holidays,
    propose,
    tolerance_days,
)

LONDON = ZoneInfo("Europe/London")
YEAR = (date(2027, 1, 1), date(2027, 12, 31))
HOLIDAYS_2027 = bank_holidays([2027])
GOOD_FRIDAY, EASTER_MONDAY = date(2027, 3, 26), date(2027, 3, 29)
CHRISTMAS, CHRISTMAS_OBSERVED, BOXING_OBSERVED = date(2027, 12, 25), date(2027, 12, 27), date(2027, 12, 28)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON)


def agreement(key: str, supervisor: str, supervisee: str, first: date, every: int, *, weekday: int | None = None,
              window: tuple[time, time] = (time(10), time(16)), length: int = 60, until: date = YEAR[1]) -> Request:
    return Request(key=key, supervisor=supervisor, supervisee=supervisee, first_date=first, until=until,
                   every_days=every, length_minutes=length, preferred_weekday=weekday,
                   window_start=window[0], window_end=window[1])


def targets(request: Request) -> list[date]:
    span = (request.until - request.first_date).days
    return [request.first_date + timedelta(days=n) for n in range(0, span + 1, request.every_days)]


def weekly(first: date, until: date, start: time, minutes: int, what: str, *, every: int = 7) -> list[Busy]:
    days = (first + timedelta(days=n) for n in range(0, (until - first).days + 1, every))
    return [Busy(at(d, start.hour, start.minute), at(d, start.hour, start.minute) + timedelta(minutes=minutes), what)
            for d in days]


def first_tuesday(year: int, month: int) -> date:
    d = date(year, month, 1)
    return d + timedelta(days=(1 - d.weekday()) % 7)


# Targets that land on bank holidays, worked out from the calendar:
#   "new-year" every 28 days from Fri 1 Jan: 1 Jan (New Year's Day), ..., 26 Mar (Good Friday).
#   "mondays" every 7 days from Mon 4 Jan: 29 Mar (Easter Monday), 3 May, 31 May, 30 Aug and
#   27 Dec (Christmas Day, observed) are all targets.
#   "christmas" every 14 days from Sat 9 Jan: 25 Dec (Christmas Day, a Saturday) is a target;
#   the days near it include the observed 27 and 28 Dec.
REQUESTS = [
    agreement("new-year", "sup.khan", "psw.ahmed", date(2027, 1, 1), 28, weekday=4),
    agreement("mondays", "sup.khan", "psw.brown", date(2027, 1, 4), 7, weekday=0, window=(time(10), time(15))),
    agreement("christmas", "sup.khan", "psw.clarke", date(2027, 1, 9), 14, weekday=None),
    agreement("early-bird", "sup.okafor", "psw.brown", date(2027, 1, 5), 28, weekday=1,
              window=(time(8), time(11)), length=90),
    agreement("late", "sup.okafor", "psw.davies", date(2027, 1, 6), 21, weekday=2,
              window=(time(14), time(18)), length=60),
    agreement("group-ish", "sup.okafor", "psw.ahmed", date(2027, 2, 1), 28, weekday=4, length=120),
    *[agreement(f"khan-{n:02d}", "sup.khan", f"psw.{n:02d}", date(2027, 1, 4 + n % 5), 28, weekday=n % 5)
      for n in range(12)],
]
assert GOOD_FRIDAY in targets(REQUESTS[0]) and date(2027, 1, 1) in targets(REQUESTS[0])
assert {EASTER_MONDAY, CHRISTMAS_OBSERVED} <= set(targets(REQUESTS[1]))
assert CHRISTMAS in targets(REQUESTS[2])


def existing_bookings() -> dict[str, list[Busy]]:
    """Community bookings and facilitating, seeded so the same every run."""
    rng = random.Random(2027)
    busy: dict[str, list[Busy]] = defaultdict(list)
    # Sup. Khan facilitates the monthly co-reflection on the first Tuesday, 10:00-12:30, and a
    # weekly Monday team meeting 10:00-11:00 that sits on top of the "mondays" window.
    for month in range(1, 13):
        d = first_tuesday(2027, month)
        busy["sup.khan"].append(Busy(at(d, 10), at(d, 12, 30), "facilitating: Monthly co-reflection"))
    busy["sup.khan"] += weekly(date(2027, 1, 4), YEAR[1], time(10), 60, "team meeting")
    busy["sup.okafor"] += weekly(date(2027, 1, 8), YEAR[1], time(9), 8 * 60, "community: Friday drop-in")
    people = {p for r in REQUESTS for p in (r.supervisor, r.supervisee)}
    for person in sorted(people):
        for _ in range(40):
            d = YEAR[0] + timedelta(days=rng.randrange(365))
            start = at(d, rng.randrange(9, 16), rng.choice((0, 15, 30, 45)))
            busy[person].append(Busy(start, start + timedelta(minutes=rng.choice((30, 60, 90, 120))),
                                     rng.choice(("community: Monthly co-reflection", "community: Social drop-in",
                                                 "debrief", "training: Safeguarding level 3"))))
    return dict(busy)


def people_of(request: Request) -> list[str]:
    return [request.supervisor, request.supervisee]


def assert_no_double_booking(requests: list[Request], busy: dict[str, list[Busy]], proposals: list[Proposal]) -> None:
    """No clash-free proposal overlaps anything its people already had, or any other proposal."""
    by_key = {r.key: r for r in requests}
    commitments: dict[str, list[tuple[datetime, datetime, str]]] = defaultdict(list)
    for person, entries in busy.items():
        commitments[person] += [(b.start, b.end, b.what) for b in entries]
    for p in proposals:
        for person in people_of(by_key[p.key]):
            commitments[person].append((p.start, p.end, f"{p.key} {p.due}"))
    for p in proposals:
        if p.clash is not None:
            continue
        for person in people_of(by_key[p.key]):
            overlapping = [what for start, end, what in commitments[person]
                           if start < p.end and end > p.start and what != f"{p.key} {p.due}"]
            assert not overlapping, f"{p.key} on {p.start} double-books {person}: {overlapping}"


def local(moment: datetime) -> datetime:
    return moment.astimezone(LONDON)


@pytest.fixture(scope="module")
def year_plan() -> tuple[dict[str, list[Busy]], list[Proposal]]:
    busy = existing_bookings()
    return busy, propose(REQUESTS, busy, holidays=HOLIDAYS_2027)


def test_a_year_of_sessions_avoids_every_clash(year_plan):
    busy, proposals = year_plan
    assert [p.clash for p in proposals if p.clash] == []
    assert_no_double_booking(REQUESTS, busy, proposals)


def test_nothing_is_dropped_one_proposal_per_target(year_plan):
    _, proposals = year_plan
    for request in REQUESTS:
        assert [p.due for p in proposals if p.key == request.key] == targets(request)


def test_no_session_on_a_bank_holiday_or_at_a_weekend(year_plan):
    _, proposals = year_plan
    days = [local(p.start).date() for p in proposals]
    for holiday in (date(2027, 1, 1), GOOD_FRIDAY, EASTER_MONDAY, CHRISTMAS, CHRISTMAS_OBSERVED, BOXING_OBSERVED):
        assert holiday not in days, HOLIDAYS_2027.get(holiday)
    assert not set(days) & set(HOLIDAYS_2027)
    assert all(d.weekday() < 5 for d in days)
    # The sessions that stood for those holidays were moved to nearby working days, not lost.
    moved = {p.due: local(p.start).date() for p in proposals if p.key in ("new-year", "mondays")}
    assert moved[GOOD_FRIDAY] == date(2027, 3, 19)  # Fridays 19 Mar and 2 Apr are as near: the earlier
    # No other Monday within 3 days, and Good Friday is out: Tue 30 Mar to Thu 1 Apr (the 30th
    # is full here: a drop-in, a co-reflection and three supervisions fill the window).
    assert moved[EASTER_MONDAY] == date(2027, 3, 31)
    assert moved[CHRISTMAS_OBSERVED] == date(2027, 12, 29)  # 28th is Boxing Day (observed)


def test_sessions_sit_inside_the_window_and_working_hours(year_plan):
    _, proposals = year_plan
    by_key = {r.key: r for r in REQUESTS}
    for p in proposals:
        request = by_key[p.key]
        start, end = local(p.start), local(p.end)
        assert p.start.tzinfo is UTC
        assert end - start == timedelta(minutes=request.length_minutes)
        assert start.date() == end.date()
        assert max(request.window_start, WORKING_HOURS[0]) <= start.time()
        assert end.time() <= min(request.window_end, WORKING_HOURS[1])
        assert start.minute % 15 == 0
        assert abs((start.date() - p.due).days) <= tolerance_days(request.every_days)


def test_the_preferred_weekday_is_used_when_free(year_plan):
    _, proposals = year_plan
    fridays = [local(p.start).weekday() for p in proposals if p.key == "new-year"]
    assert fridays.count(4) == len(fridays)


def test_busy_time_pushes_the_session_to_the_next_quarter_hour():
    request = agreement("a", "sup", "psw", date(2027, 6, 8), 28, weekday=1, until=date(2027, 6, 8))
    busy = {"sup": [Busy(at(date(2027, 6, 8), 10), at(date(2027, 6, 8), 10, 50), "debrief")]}
    [proposal] = propose([request], busy, holidays={})
    assert local(proposal.start) == at(date(2027, 6, 8), 11)
    assert proposal.clash is None


def test_sessions_proposed_together_share_a_supervisor_without_overlap():
    # Room for one hour a day; "a" comes first by key and gets Tuesday 8 June. "b" may move
    # up to 7 days (and not before its first date): the next Tuesday beats a nearer Wednesday.
    requests = [agreement(k, "sup", f"psw.{k}", date(2027, 6, 8), 28, weekday=wd, window=(time(10), time(11)),
                          until=date(2027, 6, 30)) for k, wd in (("b", 1), ("a", 1), ("c", None))]
    a, b, c = propose(requests, {}, holidays={})
    assert (a.key, local(a.start)) == ("a", at(date(2027, 6, 8), 10))
    assert (b.key, local(b.start)) == ("b", at(date(2027, 6, 15), 10))
    assert (c.key, local(c.start)) == ("c", at(date(2027, 6, 9), 10))  # no preference: the nearest free day
    assert a.clash is None and b.clash is None and c.clash is None


def test_a_clash_it_cannot_avoid_is_proposed_with_the_reason():
    # Target Fri 26 Mar (Good Friday), also the first date; every 28 days allows up to 7 days
    # later (2 Apr); the supervisor is on leave for all of it, the supervisee has a booking.
    request = agreement("gf", "sup", "psw", date(2027, 3, 26), 28, weekday=4, until=date(2027, 4, 23))
    busy = {
        "sup": [Busy(at(date(2027, 3, 15), 0), at(date(2027, 4, 6), 0), "annual leave")],
        "psw": [Busy(at(date(2027, 3, 31), 13), at(date(2027, 3, 31), 14, 30), "community: Monthly co-reflection")],
    }
    first, second = propose([request], busy, holidays=HOLIDAYS_2027)
    assert first.due == GOOD_FRIDAY
    assert first.clash is not None
    assert first.clash.startswith("no free time within 7 days of 2027-03-26: ")
    assert "supervisor busy (annual leave 2027-03-15 00:00–2027-04-06 00:00)" in first.clash
    assert "supervisee busy (community: Monthly co-reflection 13:00–14:30)" in first.clash
    assert "bank holiday Good Friday" in first.clash and "bank holiday Easter Monday" in first.clash
    # Still proposed, on the best day (the nearest Friday that is not a holiday), at 10:00.
    assert local(first.start) == at(date(2027, 4, 2), 10)
    assert (second.due, second.clash, local(second.start)) == (date(2027, 4, 23), None, at(date(2027, 4, 23), 10))


def test_a_supervisor_busy_all_day_across_the_tolerance_gets_clashes_not_gaps():
    requests = [agreement(f"a{n}", "sup", f"psw{n}", date(2027, 3, 9), 28, weekday=1) for n in range(3)]
    days = [date(2027, 3, 2) + timedelta(days=n) for n in range(15)]
    busy = {"sup": [Busy(at(d, 8), at(d, 18), "on call") for d in days]}
    proposals = propose(requests, busy, holidays=HOLIDAYS_2027)
    assert len(proposals) == sum(len(targets(r)) for r in requests)
    clashed = [p for p in proposals if p.clash]
    assert [(p.key, p.due) for p in clashed] == [(f"a{n}", date(2027, 3, 9)) for n in range(3)]
    assert all("supervisor busy (on call 08:00–18:00" in p.clash for p in clashed)
    # The later ones name the earlier clashing sessions too: they are real commitments now.
    assert "supervision (a0) 10:00–11:00" in clashed[2].clash
    assert_no_double_booking(requests, busy, proposals)


def test_a_window_with_no_room_says_so():
    request = agreement("x", "sup", "psw", date(2027, 6, 8), 28, window=(time(16, 30), time(18)),
                        until=date(2027, 6, 8))
    [proposal] = propose([request], {}, holidays={})
    assert proposal.clash is not None
    assert "window 16:30–18:00 leaves no room for 60 minutes within working hours 09:00–17:00" in proposal.clash


def test_same_inputs_in_any_order_give_the_same_plan(year_plan):
    busy, proposals = year_plan
    rng = random.Random(7)
    requests = list(REQUESTS)
    rng.shuffle(requests)
    shuffled_busy = {}
    for person in rng.sample(sorted(busy), len(busy)):
        entries = list(busy[person])
        rng.shuffle(entries)
        shuffled_busy[person] = entries
    assert propose(requests, shuffled_busy, holidays=HOLIDAYS_2027) == proposals
    assert propose(REQUESTS, busy) == proposals  # the bank holidays it looks up itself are the same


@pytest.mark.parametrize(
    ("day", "utc_hour"),
    [
        (date(2027, 1, 11), 10),  # January: GMT
        (date(2027, 7, 12), 9),  # July: BST
        (date(2027, 3, 25), 10),  # Thursday before the clocks go forward (Sun 28 Mar)
        (date(2027, 3, 30), 9),  # Tuesday after
        (date(2027, 10, 29), 9),  # Friday before the clocks go back (Sun 31 Oct)
        (date(2027, 11, 1), 10),  # Monday after
    ],
)
def test_ten_oclock_london_is_right_across_the_clock_change(day, utc_hour):
    request = agreement("x", "sup", "psw", day, 28, weekday=day.weekday(), until=day)
    [proposal] = propose([request], {}, holidays=HOLIDAYS_2027)
    assert proposal.start == datetime.combine(day, time(utc_hour), tzinfo=UTC)
    assert local(proposal.start).time() == time(10)


def test_many_agreements_with_random_busy_time_never_double_book():
    rng = random.Random(11)
    supervisors = [f"sup{n}" for n in range(5)]
    requests = [agreement(f"ag{n:03d}", supervisors[n % 5], f"psw{n:03d}", date(2027, 1, 4) + timedelta(days=n % 20),
                          rng.choice((14, 28, 28, 42)), weekday=rng.choice((None, 0, 1, 2, 3, 4)),
                          window=rng.choice(((time(10), time(12)), (time(9), time(17)), (time(13), time(16)))))
                for n in range(50)]
    busy: dict[str, list[Busy]] = defaultdict(list)
    for person in supervisors + [r.supervisee for r in requests]:
        for _ in range(60):
            d = YEAR[0] + timedelta(days=rng.randrange(365))
            start = at(d, rng.randrange(9, 17))
            busy[person].append(Busy(start, start + timedelta(minutes=rng.choice((60, 120, 240))), "community"))
    proposals = propose(requests, busy, holidays=HOLIDAYS_2027)
    assert len(proposals) == sum(len(targets(r)) for r in requests)
    assert_no_double_booking(requests, dict(busy), proposals)
    assert all(p.clash is None or p.clash.startswith("no free time") for p in proposals)
    assert not {local(p.start).date() for p in proposals if p.clash is None} & set(HOLIDAYS_2027)


def test_bank_holidays_are_england_and_wales_with_names():
    days = bank_holidays([2027])
    assert days[GOOD_FRIDAY] == "Good Friday"
    assert days[EASTER_MONDAY] == "Easter Monday"
    assert CHRISTMAS_OBSERVED in days and BOXING_OBSERVED in days
    assert date(2027, 1, 4) not in days  # Scotland's 2 January substitute is not ours
    assert date(2027, 8, 2) not in days  # nor Scotland's summer bank holiday


def test_requests_that_cannot_be_scheduled_are_refused():
    with pytest.raises(ValueError, match="every_days"):
        propose([agreement("x", "s", "p", date(2027, 1, 4), 0)], {}, holidays={})
    with pytest.raises(ValueError, match="share the key"):
        propose([agreement("x", "s", "p", date(2027, 1, 4), 7)] * 2, {}, holidays={})

"""Proposing supervision sessions: no double-booking, no bank holidays, working hours. Pure.

For each agreement the targets are ``first_date``, ``first_date + every_days``, ... up to
``until``. Each target becomes exactly one proposal. The day is chosen within
``tolerance_days(every_days)`` of the target, never at a weekend or on a bank holiday: the
preferred weekday nearest the target first, then the other weekdays by distance (earlier
first on a tie). On a day, starts are tried from ``window_start`` in ``slot_minutes`` steps;
a start is taken when the session lies inside both the window and ``WORKING_HOURS`` and
neither the supervisor, the supervisee nor any group member is busy, counting the sessions
already proposed in the same call for any agreement. When no day has room, the session is
still proposed (on the best day, at the first start in the window) with ``clash`` saying why.

Agreements are handled in order of ``key`` and busy time is sorted on the way in, so the
same inputs in any order give the same proposals. Times are wall-clock London; the result
is in UTC.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from itertools import pairwise


from peerwork.core.time import LONDON

WORKING_HOURS = (time(9), time(17))  # London local
MAX_REASONS = 6  # busy entries named per person in a clash before "and N more"


@dataclass(frozen=True)
class Busy:
    """Time someone is already committed to (a booking, facilitating, another supervision)."""

    start: datetime  # aware
    end: datetime
    what: str  # e.g. "community: Monthly co-reflection"


@dataclass(frozen=True)
class Request:
    """One agreement's sessions to propose."""

    key: str  # the agreement id: orders the work and breaks ties
    supervisor: str  # person keys, as used in ``busy``
    supervisee: str | None  # None for a group agreement (its people go in ``members``)
    first_date: date  # no session before this
    until: date  # no session after this
    every_days: int
    length_minutes: int
    preferred_weekday: int | None  # 0 = Monday
    window_start: time  # London local
    window_end: time  # the session must end by this
    members: tuple[str, ...] = ()  # further people who must be free (a group's members)


@dataclass(frozen=True)
class Proposal:
    key: str
    due: date  # the target date this session stands for
    start: datetime  # aware, UTC
    end: datetime
    clash: str | None  # None, or why it could not be placed without one


def tolerance_days(every_days: int) -> int:
    """How far from its target a session may move: at most 7 days and at most half the
    interval (so neighbouring sessions keep their order), at least 1 day, and at least 3 for
    weekly or rarer sessions (so a preferred weekday is always within reach)."""
    return min(7, max(1, every_days // 4, min(3, every_days // 2)))


def bank_holidays(years: Iterable[int]) -> dict[date, str]:
    """England & Wales bank holidays (substitute days included), with their names."""
    return dict(_bank_holidays(tuple(sorted(set(years)))))


@lru_cache(maxsize=32)
def _bank_holidays(years: tuple[int, ...]) -> tuple[tuple[date, str], ...]:
    import holidays as holidays_lib  # its calendars load on the first proposal, not at start-up

    found = holidays_lib.country_holidays("GB", subdiv="ENG", years=years)
    return tuple(sorted(found.items()))


def propose(
    requests: Sequence[Request],
    busy: Mapping[str, Sequence[Busy]],
    *,
    holidays: Mapping[date, str] | None = None,
    slot_minutes: int = 15,
) -> list[Proposal]:
    """One proposal per target date of every request, ordered by key then date.

    Guarantees: proposals without ``clash`` overlap nothing in ``busy`` and no other proposal
    of any of their people; none falls at a weekend or on a day in ``holidays`` (England &
    Wales bank holidays when not given) unless the clash says so; all lie inside the
    request's window and ``WORKING_HOURS`` when the window allows it at all.
    """
    if slot_minutes < 1:
        raise ValueError("slot_minutes must be at least 1")
    ordered = sorted(requests, key=lambda r: r.key)
    for previous, request in pairwise(ordered):
        if previous.key == request.key:
            raise ValueError(f"Two requests share the key {request.key!r}.")
    for request in ordered:
        _check(request)
    if holidays is None:
        years = range(min((r.first_date.year for r in ordered), default=2000) - 1,
                      max((r.until.year for r in ordered), default=2000) + 2)
        holidays = bank_holidays(years)
    calendars: dict[str, _Calendar] = {}

    def calendar(person: str) -> _Calendar:
        if person not in calendars:
            calendars[person] = _Calendar(busy.get(person, ()))
        return calendars[person]

    proposals: list[Proposal] = []
    for request in ordered:
        people = [("supervisor", request.supervisor)]
        if request.supervisee is not None:
            people.append(("supervisee", request.supervisee))
        people += [(f"member {m}", m) for m in request.members]
        unique = {key: role for role, key in reversed(people)}  # one entry per person, first role wins
        proposals += _propose_one(request, [(role, key, calendar(key)) for key, role in reversed(unique.items())],
                                  holidays, slot_minutes * 60)
    return proposals


def _check(request: Request) -> None:
    problem = None
    if request.every_days < 1:
        problem = "every_days must be at least 1"
    elif request.length_minutes < 1:
        problem = "length_minutes must be at least 1"
    elif request.preferred_weekday is not None and not 0 <= request.preferred_weekday <= 6:
        problem = "preferred_weekday must be 0 (Monday) to 6 (Sunday)"
    elif request.window_end <= request.window_start:
        problem = "window_end must be after window_start"
    if problem:
        raise ValueError(f"Agreement {request.key}: {problem}.")


class _Calendar:
    """One person's commitments as disjoint merged blocks of POSIX seconds, for an overlap
    test by bisection. The labelled commitments (as given, proposals appended) are only
    searched to explain a clash, which is rare."""

    __slots__ = ("added", "busy", "ends", "starts")

    def __init__(self, busy: Sequence[Busy]) -> None:
        if None in {b.start.tzinfo for b in busy} | {b.end.tzinfo for b in busy}:
            naive = next(b for b in busy if b.start.tzinfo is None or b.end.tzinfo is None)
            raise ValueError(f"Busy time {naive.what!r} must have timezone-aware start and end.")
        self.busy = busy
        self.added: list[tuple[float, float, str]] = []
        self.starts: list[float] = []
        self.ends: list[float] = []
        for start, end in sorted([(b.start.timestamp(), b.end.timestamp()) for b in busy]):
            if end <= start:
                continue
            if self.ends and start <= self.ends[-1]:
                self.ends[-1] = max(self.ends[-1], end)
            else:
                self.starts.append(start)
                self.ends.append(end)

    def blocking_end(self, start: float, end: float) -> float | None:
        """The end of the block overlapping [start, end), or None when that time is free."""
        i = bisect_right(self.starts, start) - 1
        if i >= 0 and self.ends[i] > start:
            return self.ends[i]
        if i + 1 < len(self.starts) and self.starts[i + 1] < end:
            return self.ends[i + 1]
        return None

    def add(self, start: float, end: float, what: str) -> None:
        self.added.append((start, end, what))
        # Merge into the blocks it touches (a clashing proposal may overlap several).
        lo = bisect_left(self.ends, start)
        hi = bisect_right(self.starts, end)
        if lo < hi:
            start = min(start, self.starts[lo])
            end = max(end, self.ends[hi - 1])
        self.starts[lo:hi] = [start]
        self.ends[lo:hi] = [end]

    def during(self, start: float, end: float) -> list[tuple[float, float, str]]:
        """Labelled commitments overlapping [start, end), in time order."""
        labelled = [(b.start.timestamp(), b.end.timestamp(), b.what) for b in self.busy]
        return sorted(e for e in labelled + self.added if e[0] < end and e[1] > start)


@lru_cache(maxsize=8192)
def _local_seconds(day: date, at: time) -> int:
    return int(datetime.combine(day, at, tzinfo=LONDON).timestamp())


@lru_cache(maxsize=1024)
def _day_offsets(target_weekday: int, tolerance: int, preferred: int | None) -> tuple[int, ...]:
    """Offsets from a target to try, best first, weekends left out: the preferred weekday
    nearest the target, then the other weekdays by distance, the earlier on a tie."""
    offsets = [o for o in range(-tolerance, tolerance + 1) if (target_weekday + o) % 7 < 5]
    return tuple(sorted(offsets, key=lambda o: ((target_weekday + o) % 7 != preferred, abs(o), o)))


def _candidate_days(request: Request, target: date, tolerance: int, holidays: Mapping[date, str],
                    taken: set[date]) -> Iterator[date]:
    """The days to try for a target, best first (lazily: the first usually has room)."""
    for offset in _day_offsets(target.weekday(), tolerance, request.preferred_weekday):
        day = target + timedelta(days=offset)
        if request.first_date <= day <= request.until and day not in holidays and day not in taken:
            yield day


def _propose_one(request: Request, people: list[tuple[str, str, _Calendar]], holidays: Mapping[date, str],
                 step: int) -> list[Proposal]:
    tolerance = tolerance_days(request.every_days)
    length = request.length_minutes * 60
    # Starts on the window's grid, as seconds after window_start, that keep the session
    # inside the window and working hours (same on every day: no clock change in the day).
    base = datetime.combine(date(2000, 1, 3), request.window_start)
    earliest = datetime.combine(base.date(), max(request.window_start, WORKING_HOURS[0]))
    latest = datetime.combine(base.date(), min(request.window_end, WORKING_HOURS[1]))
    first_offset = -(-int((earliest - base).total_seconds()) // step) * step
    last_offset = int((latest - base).total_seconds()) - length
    label = f"supervision ({request.key})"

    proposals = []
    taken: set[date] = set()
    target = request.first_date
    while target <= request.until:
        best = placed = None
        for day in _candidate_days(request, target, tolerance, holidays, taken):
            best = best or day
            if first_offset > last_offset:
                break
            origin = _local_seconds(day, request.window_start)
            start = _first_free(people, origin + first_offset, origin + last_offset, length, origin, step)
            if start is not None:
                placed = (day, start, None)
                break
        if placed is None:
            day = best or target
            offset = first_offset if first_offset <= last_offset else 0
            reason = _why(request, target, tolerance, people, holidays, first_offset, last_offset, length)
            placed = (day, _local_seconds(day, request.window_start) + offset, reason)
        day, start, clash = placed
        for _, _, cal in people:
            cal.add(start, start + length, label)
        taken.add(day)
        proposals.append(Proposal(
            key=request.key, due=target, clash=clash,
            start=datetime.fromtimestamp(start, UTC), end=datetime.fromtimestamp(start + length, UTC),
        ))
        target += timedelta(days=request.every_days)
    return proposals


def _first_free(people: list[tuple[str, str, _Calendar]], start: float, last: float, length: int,
                origin: int, step: int) -> float | None:
    """The first grid start in [start, last] at which everyone is free, jumping past blocks."""
    while start <= last:
        for _, _, cal in people:
            blocked_until = cal.blocking_end(start, start + length)
            if blocked_until is not None:
                start = origin + -(-(blocked_until - origin) // step) * step
                break
        else:
            return start
    return None


def _span(start: float, end: float) -> str:
    """"13:00–14:30", or with dates when it is not within one day ("annual leave")."""
    first, last = datetime.fromtimestamp(start, LONDON), datetime.fromtimestamp(end, LONDON)
    if first.date() == last.date():
        return f"{first:%H:%M}–{last:%H:%M}"
    return f"{first:%Y-%m-%d %H:%M}–{last:%Y-%m-%d %H:%M}"


def _why(request: Request, target: date, tolerance: int, people: list[tuple[str, str, _Calendar]],
         holidays: Mapping[date, str], first_offset: int, last_offset: int, length: int) -> str:
    if first_offset > last_offset:
        low, high = max(request.window_start, WORKING_HOURS[0]), min(request.window_end, WORKING_HOURS[1])
        return (f"the window {request.window_start:%H:%M}–{request.window_end:%H:%M} leaves no room for "
                f"{request.length_minutes} minutes within working hours "
                f"{WORKING_HOURS[0]:%H:%M}–{WORKING_HOURS[1]:%H:%M}"
                + (f" (only {low:%H:%M}–{high:%H:%M})" if low < high else ""))
    span = [target + timedelta(days=offset) for offset in range(-tolerance, tolerance + 1)]
    in_range = [d for d in span if request.first_date <= d <= request.until]
    days_word = "day" if tolerance == 1 else "days"
    head = f"no free time within {tolerance} {days_word} of {target.isoformat()}"
    windows = [(origin + first_offset, origin + last_offset + length)
               for origin in (_local_seconds(d, request.window_start) for d in in_range
                              if d.weekday() < 5 and d not in holidays)]
    parts = []
    if not windows:
        parts.append(f"the days in reach are weekends, bank holidays or outside the agreement "
                     f"({request.first_date.isoformat()} to {request.until.isoformat()})")
    for role, _, cal in people:
        labels: list[str] = []
        # One pass over the person's commitments for the whole range, then day by day.
        nearby = cal.during(windows[0][0], windows[-1][1]) if windows else []
        for start, end, what in nearby:
            if any(start < high and end > low for low, high in windows):
                text = f"{what} {_span(start, end)}"
                if text not in labels:
                    labels.append(text)
        if labels:
            more = f"; and {len(labels) - MAX_REASONS} more" if len(labels) > MAX_REASONS else ""
            parts.append(f"{role} busy ({'; '.join(labels[:MAX_REASONS])}{more})")
    parts += [f"bank holiday {holidays[d]}" for d in in_range if d in holidays and d.weekday() < 5]
    if not parts:  # every remaining day already holds one of this agreement's sessions
        parts.append("the nearby days already hold this agreement's sessions")
    return f"{head}: {'; '.join(parts)}"

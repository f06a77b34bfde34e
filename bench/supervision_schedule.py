"""Supervision scheduling: a year of sessions for 2,000 agreements against naive target times.

200 supervisors with about 10 supervisees each (2,000 agreements, every 14, 28 or 42 days,
each with a preferred weekday and window); everyone already has about two commitments a
week (community bookings, debriefs, training) and supervisors facilitate a weekly space, all
random but seeded, and in UTC as they come out of storage. ``propose`` plans 2027 for all
of them at once; the plan is then checked independently (no clash-free session overlaps
another commitment of its people, none is at a weekend or on a bank holiday, one proposal
per target). The floor is the same loop with no checks at all: each target date at the
window start, turned into UTC, as a Proposal. No database; the best of five interleaved
runs each, wall clock (CPU time printed too, as the machine may be shared).

    python bench/supervision_schedule.py      # BENCH_SUPERVISORS (200), BENCH_SUPERVISEES_EACH (10)
"""

from __future__ import annotations

import os
import random
import sys
import time as clock
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from _common import Result, Row

from peerwork.supervision.scheduling import Busy, Proposal, Request, bank_holidays, propose

TARGET_SECONDS = 2.0
SUPERVISORS = int(os.environ.get("BENCH_SUPERVISORS", "200"))
EACH = int(os.environ.get("BENCH_SUPERVISEES_EACH", "10"))
RUNS = 5
LONDON = ZoneInfo("Europe/London")
YEAR = (date(2027, 1, 1), date(2027, 12, 31))
WINDOWS = ((time(9, 30), time(12, 30)), (time(10), time(16)), (time(13), time(16, 30)), (time(9), time(17)))
LABELS = ("community: Monthly co-reflection", "community: Social drop-in", "debrief", "training: Safeguarding",
          "development day", "team meeting")


def make_world(seed: int = 2027) -> tuple[list[Request], dict[str, list[Busy]]]:
    rng = random.Random(seed)
    requests = []
    busy: dict[str, list[Busy]] = defaultdict(list)
    for s in range(SUPERVISORS):
        supervisor = f"sup{s:04d}"
        # A weekly space they facilitate, same weekday and time all year.
        weekday, hour = rng.randrange(5), rng.choice((10, 11, 13, 14))
        day = YEAR[0] + timedelta(days=(weekday - YEAR[0].weekday()) % 7)
        while day <= YEAR[1]:
            start = datetime.combine(day, time(hour), tzinfo=LONDON).astimezone(UTC)
            busy[supervisor].append(Busy(start, start + timedelta(minutes=90), "facilitating: Weekly co-reflection"))
            day += timedelta(days=7)
        for n in range(EACH):
            window = rng.choice(WINDOWS)
            requests.append(Request(
                key=f"agr{s:04d}-{n:02d}", supervisor=supervisor, supervisee=f"psw{s:04d}-{n:02d}",
                first_date=YEAR[0] + timedelta(days=rng.randrange(28)), until=YEAR[1],
                every_days=rng.choice((14, 28, 28, 28, 42)), length_minutes=rng.choice((60, 60, 90)),
                preferred_weekday=rng.choice((None, 0, 1, 2, 3, 4)), window_start=window[0], window_end=window[1],
            ))
    for person in sorted({r.supervisor for r in requests} | {r.supervisee for r in requests}):
        for _ in range(100):  # about two a week
            day = YEAR[0] + timedelta(days=rng.randrange(365))
            local = datetime.combine(day, time(rng.randrange(9, 17), rng.choice((0, 15, 30, 45))), tzinfo=LONDON)
            start = local.astimezone(UTC)
            busy[person].append(Busy(start, start + timedelta(minutes=rng.choice((30, 60, 90, 120, 180))),
                                     rng.choice(LABELS)))
    return requests, dict(busy)


def naive(requests: list[Request]) -> list[Proposal]:
    """The floor: every target at the window start, no day or clash checks."""
    proposals = []
    for request in sorted(requests, key=lambda r: r.key):
        length = timedelta(minutes=request.length_minutes)
        target = request.first_date
        while target <= request.until:
            start = datetime.combine(target, request.window_start, tzinfo=LONDON).astimezone(UTC)
            proposals.append(Proposal(request.key, target, start, start + length, None))
            target += timedelta(days=request.every_days)
    return proposals


def problems(requests: list[Request], busy: dict[str, list[Busy]], plan: list[Proposal],
             holidays: dict[date, str]) -> list[str]:
    """Check the plan without the scheduler's own structures: a sort and a sweep per person."""
    found = []
    by_key = {r.key: r for r in requests}
    expected = sum(len(range(0, (r.until - r.first_date).days + 1, r.every_days)) for r in requests)
    if len(plan) != expected:
        found.append(f"{len(plan)} proposals for {expected} targets")
    per_person: dict[str, list[tuple[datetime, datetime, bool, str]]] = defaultdict(list)
    for person, entries in busy.items():
        per_person[person] += [(b.start, b.end, False, b.what) for b in entries]
    for p in plan:
        request = by_key[p.key]
        per_person[request.supervisor].append((p.start, p.end, p.clash is None, p.key))
        per_person[request.supervisee].append((p.start, p.end, p.clash is None, p.key))
        if p.clash is None:
            day = p.start.astimezone(LONDON).date()
            if day.weekday() >= 5 or day in holidays:
                found.append(f"{p.key} on {day}, a weekend or bank holiday")
    for person, entries in per_person.items():
        entries.sort(key=lambda e: (e[0], e[1]))
        # A clash-free proposal must not overlap anything; sweep keeping the latest end so far.
        latest_end, latest_what = None, None
        for start, end, must_be_free, what in entries:
            if latest_end is not None and start < latest_end and (must_be_free or latest_what[1]):
                found.append(f"{person}: {what} overlaps {latest_what[0]}")
            if latest_end is None or end > latest_end:
                latest_end, latest_what = end, (what, must_be_free)
    return found


def timed(runs: int, **functions) -> tuple[dict[str, float], dict[str, float], dict[str, object]]:
    """Best wall and CPU seconds of each function over interleaved runs (so a busy machine
    slows them alike), and each one's last value."""
    wall = {name: float("inf") for name in functions}
    cpu = dict(wall)
    values = {}
    for _ in range(runs):
        for name, function in functions.items():
            started, started_cpu = clock.perf_counter(), clock.process_time()
            values[name] = function()
            wall[name] = min(wall[name], clock.perf_counter() - started)
            cpu[name] = min(cpu[name], clock.process_time() - started_cpu)
    return wall, cpu, values


def main() -> Result:
    result = Result("supervision_schedule")
    requests, busy = make_world()
    holidays = bank_holidays([2026, 2027, 2028])
    commitments = sum(len(v) for v in busy.values())
    print(f"supervision_schedule: {len(requests):,} agreements, {SUPERVISORS} supervisors, "
          f"{len(busy):,} people with {commitments:,} existing commitments in 2027")
    wall, cpu, values = timed(RUNS, floor=lambda: naive(requests),
                              ours=lambda: propose(requests, busy, holidays=holidays))
    floor, ours, floor_plan, plan = wall["floor"], wall["ours"], values["floor"], values["ours"]
    clash_free = sum(p.clash is None for p in plan)
    share = clash_free / len(plan)
    wrong = problems(requests, busy, plan, holidays)
    ratio = ours / floor
    print(f"  naive targets (floor): {floor:.3f} s ({cpu['floor']:.3f} s CPU) for {len(floor_plan):,} sessions")
    print(f"  propose: {ours:.3f} s ({cpu['ours']:.3f} s CPU) for {len(plan):,} sessions; {clash_free:,} placed "
          f"without a clash ({share:.2%}); {len(plan) - clash_free} with a stated clash")
    print(f"  ours / floor: {ratio:.1f} (CPU {cpu['ours'] / cpu['floor']:.1f}); best of {RUNS} interleaved runs")
    print(f"  independent check: {'no problems' if not wrong else f'{len(wrong)} problems'}")
    for problem in wrong[:10]:
        print(f"  WRONG: {problem}")
    sample = next((p for p in plan if p.clash), None)
    if sample:
        print(f"  e.g. {sample.key} due {sample.due}: {sample.clash}")
    result.rows += [
        Row(f"supervision propose {len(requests):,} agreements x 1 year", f"{ours:.2f} s",
            f"{floor:.3f} s naive", f"{ratio:.1f}x", f"<= {TARGET_SECONDS:g} s, no double-booking",
            ours <= TARGET_SECONDS and not wrong),
        Row("supervision sessions placed without clash", f"{clash_free:,} / {len(plan):,}", "-", f"{share:.2%}",
            "-", None),
    ]
    return result


if __name__ == "__main__":
    outcome = main()
    outcome.emit()
    sys.exit(0 if all(r.passed is not False for r in outcome.rows) else 1)

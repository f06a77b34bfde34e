"""Calendar feed: ``GET /calendar/<token>.ics`` of a year of events, and its 304 answer.

A peer support worker is booked on every occurrence of a daily weekday debrief and of a
monthly co-reflection over a year: 89 days back (past bookings stay in the feed 90 days) and
275 days ahead, about 270 VEVENTs, two occurrences cancelled, two moved, one on the waiting
list. The organisation, accounts, series, the future occurrences and bookings, the cancels
and moves go through the services (``series.create_series``/``materialise``,
``bookings.book``, ``series.cancel_occurrence``/``move_occurrence``, ``feeds.issue_feed``);
only the past occurrences and their bookings, which the services no longer allow, are
inserted directly, as the horizon job and ``book`` would have made them back then.

One uvicorn process (one worker) serves ``create_app(settings)`` with one extra route
registered, ``/bench/constant.ics``: a constant 304 with the same three headers as the
feed's, through the same app and middleware stack. A load generator in another process
drives it.

- time per feed: our per-request latency at concurrency 1 against the floor, icalendar alone
  serialising the same calendar (``Calendar.from_ical(feed bytes)`` built once, then
  ``cal.to_ical()`` timed per call in this process); target ours/floor <= 2;
- the 304 answer (``If-None-Match`` with the feed's ETag) in requests/s against the constant
  304 route, alternating rounds; target ratio >= 0.7.

    python bench/community_feed.py    # BENCH_FEED_ROUND_SECONDS (3), BENCH_FEED_ROUNDS (3),
                                      # BENCH_CONNECTIONS (8); BENCH_PROFILE_DIR=dir: cProfile the server
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from _common import Result, Row, busy_note, free_port, fresh_database, others_busy
from _community_fixtures import Server, http, make_member, serve, timed_calls
from _loadgen import Load, run_load, tool_name

LATENCY_TARGET = 2.0
NOT_MODIFIED_TARGET = 0.7
ROUND_SECONDS = float(os.environ.get("BENCH_FEED_ROUND_SECONDS", "3"))
ROUNDS = int(os.environ.get("BENCH_FEED_ROUNDS", "3"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "8"))
PAST_DAYS = 89  # the feed keeps past bookings 90 days
AHEAD_DAYS = 275  # so the feed spans a year
CONSTANT_PATH = "/bench/constant.ics"
CONSTANT_HEADERS = {
    "ETag": '"0123456789abcdef0123456789abcdef"', "Last-Modified": "Tue, 01 Dec 2026 10:00:00 GMT",
    "Cache-Control": "private, no-cache",
}
FLOOR_KIND = ("same app (create_app) with one route registered, /bench/constant.ics: a constant 304 with the "
              "feed's three headers, same middleware stack")


# --- the server (runs in the subprocess) ------------------------------------------------------


def _app_with_constant():
    from litestar import Response, get

    from peerwork.app import create_app
    from peerwork.core.settings import load_settings

    app = create_app(load_settings())

    @get(CONSTANT_PATH, exclude_from_csrf=True, include_in_schema=False, signature_namespace={"Response": Response})
    async def constant_not_modified() -> Response[bytes]:
        return Response(b"", status_code=304, headers=CONSTANT_HEADERS)

    app.register(constant_not_modified)
    return app


# --- the data ---------------------------------------------------------------------------------


async def _past_occurrences(series_id, until: datetime) -> None:
    """What the horizon job would have materialised before today (``materialise`` only looks ahead)."""
    from peerwork.community.recurrence import starts_between
    from peerwork.community.tables import EventSeries, Occurrence

    row = await EventSeries.select().where(EventSeries.id == series_id).first()
    existing = set(await Occurrence.select(Occurrence.original_start).where(
        Occurrence.series == series_id).output(as_list=True))
    length = timedelta(minutes=row["duration_minutes"])
    new = [Occurrence(series=series_id, organisation=row["organisation"], original_start=s, start=s,
                      end=s + length, capacity=row["capacity"])
           for s in starts_between(row["first_start"], row["rrule"], row["first_start"], until) if s not in existing]
    if new:
        await Occurrence.insert(*new)


async def seed() -> dict:
    from peerwork.community import bookings, series
    from peerwork.calendar import feeds
    from peerwork.community.schemas import SeriesIn
    from peerwork.community.tables import Booking, Occurrence
    from peerwork.workforce import organisations

    org = await organisations.create_organisation("bench-community", "Bench Community NHS Trust")
    lead = await make_member(org.id, org.slug, "lead@bench-community.example.org", "peer_lead")
    psw = await make_member(org.id, org.slug, "psw@bench-community.example.org", "psw")
    others = [await make_member(org.id, org.slug, f"colleague{i}@bench-community.example.org", "psw")
              for i in range(12)]
    start = date.today() - timedelta(days=PAST_DAYS)
    debrief = await series.create_series(lead.principal, SeriesIn(
        kind="debrief", title="End-of-day debrief", rrule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
        start_date=start, start_time=time(16, 30), end_time=time(17, 0), capacity=30,
        description="A short facilitated space to put the day down before going home.",
        location="Room 2, Oak House", online_link="https://meet.example.org/peer-debrief",
    ))
    reflection = await series.create_series(lead.principal, SeriesIn(
        kind="co_reflection", title="Monthly co-reflection", rrule="FREQ=MONTHLY;BYDAY=1TU",
        start_date=start, start_time=time(13, 0), end_time=time(14, 30), capacity=12,
        description="Peer co-reflection on practice: bring something that stayed with you.",
        location="Training Room 1, Riverside Centre",
    ))
    now = datetime.now(UTC)
    for made in (debrief, reflection):
        await series.materialise(made.id, until=now + timedelta(days=AHEAD_DAYS))
        await _past_occurrences(made.id, now - timedelta(days=1))
    occurrences = await Occurrence.select(Occurrence.id, Occurrence.series, Occurrence.start).where(
        Occurrence.organisation == org.id).order_by(Occurrence.start)
    future = [o for o in occurrences if o["start"] > now + timedelta(hours=2)]  # bookable (cut-off 60 min)
    past = [o for o in occurrences if o["start"] <= now + timedelta(hours=2)]

    # One co-reflection is full before our PSW books: they go on the waiting list.
    full = next(o for o in future if o["series"] == reflection.id)
    for colleague in others:
        await bookings.book(colleague.principal, full["id"])
    for o in future:
        await bookings.book(psw.principal, o["id"])
    # Bookings on past occurrences, as book() made them then (no invites re-sent now).
    await Booking.insert(*[
        Booking(occurrence=o["id"], account=psw.principal.account_id, organisation=org.id, status="confirmed",
                queue_position=1)
        for o in past
    ])
    debriefs = [o for o in future if o["series"] == debrief.id]
    for o in debriefs[5:7]:
        await series.cancel_occurrence(lead.principal, o["id"], "Facilitator unwell")
    for o in debriefs[10:12]:
        await series.move_occurrence(lead.principal, o["id"], o["start"] + timedelta(hours=1),
                                     o["start"] + timedelta(hours=1, minutes=30), "Room 5, Oak House")
    url, _ = await feeds.issue_feed(psw.principal)
    return {"path": url[url.index("/calendar/"):], "occurrences": len(occurrences), "via_service": len(future),
            "direct": len(past)}


# --- the measurements -------------------------------------------------------------------------------


@dataclass
class Measured:
    events: int
    body_bytes: int
    round_trip_identical: bool
    feed_latency: list[float]  # seconds per request at concurrency 1, per round
    feed_cpu: float  # server CPU seconds per feed request
    floor_call: list[float]  # seconds per to_ical() call, per round
    not_modified: list[Load]
    constant: list[Load]
    ratios_304: list[float]
    cpu_304: float
    cpu_constant: float


def measure(server: Server, feed_path: str) -> Measured:
    import icalendar

    feed_url, constant_url = server.base + feed_path, server.base + CONSTANT_PATH
    status, headers, body = http("GET", feed_url)
    if status != 200 or not body.startswith(b"BEGIN:VCALENDAR"):
        raise RuntimeError(f"the feed answered {status}: {body[:300]!r}")
    etag = headers["etag"]
    again = http("GET", feed_url)
    if again[2] != body or again[1]["etag"] != etag:
        raise RuntimeError("the feed changed between two requests: the ETag would not hold")
    conditional = {"If-None-Match": etag}
    for url, extra in ((feed_url, conditional), (constant_url, {})):
        status, headers, content = http("GET", url, extra)
        if status != 304 or content:
            raise RuntimeError(f"{url} answered {status} with {len(content)} bytes, not an empty 304")

    calendar = icalendar.Calendar.from_ical(body)  # the floor's calendar, built once
    identical = calendar.to_ical() == body
    events = len(list(calendar.walk("VEVENT")))

    run_load(feed_url, {}, 1, 1)  # warm up both
    server.wait_idle()
    timed_calls(calendar.to_ical, 0.5)
    feed_latency, floor_call = [], []
    cpu = requests = 0.0
    for number in range(ROUNDS):  # alternate, so a busy moment hits both
        before = server.cpu_seconds()
        load = run_load(feed_url, {}, ROUND_SECONDS, 1)
        server.wait_idle()
        cpu += server.cpu_seconds() - before
        if load.non_2xx or load.errors or not load.requests:
            raise RuntimeError(f"feed: {load.requests} answers, {load.non_2xx} non-2xx, {load.errors} socket errors")
        requests += load.requests + 1  # the one left in flight was answered (and counted in cpu) too
        feed_latency.append(load.seconds / load.requests)
        calls, seconds = timed_calls(calendar.to_ical, ROUND_SECONDS)
        floor_call.append(seconds / calls)
        print(f"  round {number + 1}: feed {1000 * feed_latency[-1]:.1f} ms/request ({load.requests} requests), "
              f"to_ical {1000 * floor_call[-1]:.1f} ms/call ({calls} calls)")

    run_load(feed_url, conditional, 1, CONNECTIONS)
    server.wait_idle()
    run_load(constant_url, {}, 1, CONNECTIONS)
    loads: dict[str, list[Load]] = {"304": [], "constant": []}
    cpus = {"304": 0.0, "constant": 0.0}
    answered = {"304": 0, "constant": 0}  # including the one left in flight on each connection
    ratios = []
    for number in range(ROUNDS):
        order = [("304", feed_url, conditional), ("constant", constant_url, {})]
        for name, url, extra in order if number % 2 == 0 else order[::-1]:
            before = server.cpu_seconds()
            load = run_load(url, extra, ROUND_SECONDS, CONNECTIONS)
            server.wait_idle()  # the requests left in flight are answered before the next round
            cpus[name] += server.cpu_seconds() - before
            # wrk counts a 304 as a success; the Python client counts it as non-2xx.
            if load.errors or (load.tool == "wrk" and load.non_2xx):
                raise RuntimeError(f"{name}: {load.requests} answers, {load.non_2xx} bad, {load.errors} socket errors")
            loads[name].append(load)
            answered[name] += load.requests + CONNECTIONS
        ratios.append(loads["304"][-1].rps / loads["constant"][-1].rps)
        print(f"  round {number + 1}: 304 {loads['304'][-1].rps:7.1f} req/s, constant 304 "
              f"{loads['constant'][-1].rps:7.0f} req/s, ratio {ratios[-1]:.4f}")
    return Measured(
        events=events, body_bytes=len(body), round_trip_identical=identical, feed_latency=feed_latency,
        feed_cpu=cpu / requests, floor_call=floor_call, not_modified=loads["304"], constant=loads["constant"],
        ratios_304=ratios, cpu_304=cpus["304"] / answered["304"], cpu_constant=cpus["constant"] / answered["constant"],
    )


async def main() -> Result:
    result = Result("community_feed")
    async with fresh_database("feed") as url:
        seeded = await seed()
        print(f"community_feed: {seeded['occurrences']} occurrences booked by one PSW "
              f"({seeded['via_service']} through bookings.book, {seeded['direct']} past ones inserted directly)")
        with tempfile.TemporaryDirectory(prefix="peerwork-bench-") as tmp:
            server = Server(__file__, url, Path(tmp) / "server.log", free_port())
            try:
                server.wait_until_up()
                busy_before = others_busy()
                print(f"  uvicorn (1 worker) on {server.base}; load: {tool_name()}; rounds of {ROUND_SECONDS:g} s")
                m = await asyncio.to_thread(measure, server, seeded["path"])
            finally:
                server.stop()
    busy = busy_note("community_feed", busy_before, others_busy())

    # Best round of each (rounds alternate): the least disturbed by other work on the machine.
    ours, floor = min(m.feed_latency), min(m.floor_call)
    ratio = ours / floor
    print(f"  feed: {m.events} VEVENTs, {m.body_bytes / 1024:.0f} KiB; icalendar round trip "
          f"{'gives the same bytes' if m.round_trip_identical else 'gives DIFFERENT bytes (floor still times to_ical)'}")
    print(f"  GET feed at concurrency 1: {1000 * ours:.1f} ms/request (best round; median "
          f"{1000 * statistics.median(m.feed_latency):.1f}), server CPU "
          f"{1000 * m.feed_cpu:.1f} ms/request; icalendar to_ical alone {1000 * floor:.1f} ms/call (best round; median "
          f"{1000 * statistics.median(m.floor_call):.1f}); "
          f"ratio {ratio:.1f} (target <= {LATENCY_TARGET:g})")
    rps_304 = sum(x.requests for x in m.not_modified) / sum(x.seconds for x in m.not_modified)
    rps_constant = sum(x.requests for x in m.constant) / sum(x.seconds for x in m.constant)
    ratio_304 = statistics.median(m.ratios_304)
    print(f"  304 (If-None-Match): {rps_304:.1f} req/s, server CPU {1000 * m.cpu_304:.2f} ms/request; constant 304: "
          f"{rps_constant:.0f} req/s, {1000 * m.cpu_constant:.2f} ms/request; ratio {ratio_304:.4f} "
          f"(target >= {NOT_MODIFIED_TARGET:g}); {CONNECTIONS} connections")
    print(f"  floor for the 304: {FLOOR_KIND}")
    if busy:
        print(f"  WARNING {busy}")
        result.notes.append(busy)
    result.rows += [
        Row(f"community_feed GET feed ({m.events} events), c=1", f"{1000 * ours:.1f} ms", f"{1000 * floor:.1f} ms to_ical",
            f"{ratio:.1f}x", f"<= {LATENCY_TARGET:g}x", ratio <= LATENCY_TARGET),
        Row("community_feed 304 If-None-Match", f"{rps_304:.1f} req/s", f"{rps_constant:.0f} req/s const",
            f"{ratio_304:.4f}", f">= {NOT_MODIFIED_TARGET:g}", ratio_304 >= NOT_MODIFIED_TARGET),
        Row("community_feed server CPU/feed", f"{1000 * m.feed_cpu:.1f} ms", f"{1000 * floor:.1f} ms to_ical",
            f"{m.feed_cpu / floor:.1f}x", "report", None),
    ]
    result.notes.append(
        f"community_feed: {m.events} VEVENTs, {m.body_bytes // 1024} KiB; time-per-feed floor = icalendar "
        f"Calendar.from_ical(feed).to_ical() per call in-process; 304 floor = {FLOOR_KIND}; load {m.constant[0].tool}, "
        f"{CONNECTIONS} connections for the 304s, 1 for the feed; {ROUNDS} x {ROUND_SECONDS:g} s rounds, feed and floor "
        f"best round each, 304 median of round ratios"
    )
    return result


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        serve(_app_with_constant(), int(sys.argv[2]), "community_feed_server")
    else:
        asyncio.run(main()).emit()

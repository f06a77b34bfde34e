"""Retention end to end: ``GET /api/v1/retention`` over 1,000,000 assignments, through the real app.

The data is retention_million's (one organisation, ten years, 5% in lived-experience roles; loaded
with COPY, see that file). One uvicorn process (one worker) serves ``create_app(settings)``
unchanged; an HR account's bearer token asks for the whole default report (curve, 1/2/3-year
figures, cohort tables and all four breakdowns) as of the bench's as-of date. The time is the
client's: from sending the request to the last byte of the JSON body, so it includes the token
check, the spells SQL, building the report and encoding it.

The floor, outside peerwork: ``SELECT count(*) FROM assignment`` on a plain asyncpg connection
opened by this driver, made to scan the table (as planned PostgreSQL counts the organisation
index instead; that figure is shown too, without a target). The two are run interleaved, in
alternating order (after one request that lets the server import what the route needs),
ROUNDS times "cold-ish" (the files of assignment and team dropped from the OS
page cache before every single run) and ROUNDS times warm; median and range of each, and the
ratio of the medians against the target.

    python bench/retention_http.py   # BENCH_RETENTION_ROWS (1000000), BENCH_RETENTION_ROUNDS (5)
    BENCH_RETENTION_JSON=/tmp/r.json python bench/retention_http.py   # keep the body, to compare
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _common import Result, Row, busy_note, free_port, fresh_database, others_busy
from _server import cpu_seconds, http_get, start_server, stop, wait_until_up
from retention_million import AS_OF, FLOOR_SQL, HEAP_SCAN_SETTINGS, PLANNER_DEFAULTS, Evictor, load

TARGET = 5.0
ROUNDS = int(os.environ.get("BENCH_RETENTION_ROUNDS", "5"))
PATH = f"/api/v1/retention?as_of={AS_OF.isoformat()}"


# --- the server (runs in the subprocess) ------------------------------------------------------


def serve(port: int) -> None:
    import uvicorn

    from peerwork.app import create_app
    from peerwork.core.settings import load_settings

    app = create_app(load_settings())
    uvicorn.run(app, host="127.0.0.1", port=port, workers=1, log_level="warning", access_log=False)










# --- the driver ---------------------------------------------------------------------------------


def _spread(values: list[float]) -> str:
    return f"median {statistics.median(values):.3f} s (range {min(values):.3f}-{max(values):.3f})"




async def measure(database_url: str, url: str, token: str, server_pid: int) -> dict:
    import asyncpg

    auth = {"Authorization": f"Bearer {token}"}
    connection = await asyncpg.connect(database_url)
    out: dict = {}
    try:
        evictor = await Evictor.open(connection)
        out["why_not"] = evictor.why_not
        out["files"] = len(evictor.files)

        async def floor(kind: str) -> float:
            await connection.execute(HEAP_SCAN_SETTINGS if kind == "heap" else PLANNER_DEFAULTS)
            started = time.perf_counter()
            out["count"] = await connection.fetchval(FLOOR_SQL)
            return time.perf_counter() - started

        async def ours() -> float:
            cpu_before = cpu_seconds(server_pid)
            started = time.perf_counter()
            status, body = await asyncio.to_thread(http_get, url, auth)
            seconds = time.perf_counter() - started
            out.setdefault("server_cpu", []).append(cpu_seconds(server_pid) - cpu_before)
            if status != 200:
                raise RuntimeError(f"GET {PATH} answered {status}: {body[:500]!r}")
            out["body"] = body
            return seconds

        runs = (("heap", lambda: floor("heap")), ("planned", lambda: floor("planned")), ("ours", ours))
        # One request first: the server's first one also imports what the route needs (cold start
        # is measured elsewhere); "cold-ish" here is about the table's pages.
        await ours()
        out["server_cpu"].clear()
        for phase, evict in (("cold", True), ("warm", False)):
            if not evict:
                for _, run in runs:
                    await run()  # warm each up once
            times: dict[str, list[float]] = {name: [] for name, _ in runs}
            for round_number in range(ROUNDS):
                for name, run in runs if round_number % 2 == 0 else runs[::-1]:
                    if evict:
                        evictor.evict()
                    times[name].append(await run())
            out[phase] = times
    finally:
        await connection.close()
    return out


async def main() -> Result:
    result = Result("retention_http")
    async with fresh_database("retnhttp") as database_url:
        from peerwork.core import accounts
        from peerwork.workforce import organisations

        org = await organisations.create_organisation("bench-region", "Bench Regional Workforce")
        account = await accounts.create_account(org.id, "hr@bench.example.org", ["hr"], display_name="Bench HR")
        token = (await accounts.issue_api_token(account.id, org.id, label="bench")).token
        started = time.perf_counter()
        loaded = await load(database_url, org.id)
        print(f"retention_http: {loaded['assignments']:,} assignments ({loaded['lived']:,} in lived-experience "
              f"roles), {loaded['people']:,} people, one organisation; loaded in {time.perf_counter() - started:.1f} s "
              f"(not measured); GET {PATH}, uvicorn (1 worker), {ROUNDS} rounds each cold-ish and warm")
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        with tempfile.TemporaryDirectory(prefix="peerwork-bench-") as tmp:
            log = Path(tmp) / "server.log"
            server = start_server(__file__, port, database_url, log)
            try:
                wait_until_up(base, server, log)
                busy_before = others_busy()
                m = await measure(database_url, base + PATH, token, server.pid)
                busy = busy_note("retention_http", busy_before, others_busy())
            finally:
                stop(server)
            if server.returncode not in (0, -signal.SIGINT):
                print(log.read_text()[-3000:])
    if m["count"] != loaded["assignments"]:
        raise RuntimeError(f"count(*) found {m['count']} rows, not {loaded['assignments']}")

    body = m["body"]
    answer = json.loads(body)
    report = answer["lived_experience"]
    # The organisation's id is new every run: the digest leaves it out, so runs can be compared.
    figures = json.dumps({**answer, "lived_experience": {**report, "organisation_id": None}}, sort_keys=True)
    print(f"  response: {len(body):,} bytes, sha256 of its figures {hashlib.sha256(figures.encode()).hexdigest()[:16]}; "
          f"{report['spells']:,} spells, {len(report['curve']):,} curve points, "
          f"groups {({k: len(v) for k, v in report['breakdowns'].items()})}")
    keep = os.environ.get("BENCH_RETENTION_JSON")
    if keep:
        Path(keep).write_bytes(body)
    cold_kind = (f"cold-ish NOT possible ({m['why_not']}): those runs are warm too" if m["why_not"] else
                 f"cold-ish = the {m['files']} files of assignment and team dropped from the OS page cache before each run")
    print(f"  {cold_kind}")
    for phase in ("cold", "warm"):
        times = m[phase]
        ours, heap, planned = (statistics.median(times[k]) for k in ("ours", "heap", "planned"))
        ratios = [o / h for o, h in zip(times["ours"], times["heap"])]
        print(f"  {phase:4}: GET {_spread(times['ours'])}; count(*) table scan {_spread(times['heap'])}; "
              f"ratio of medians {ours / heap:.2f}x (per round {min(ratios):.2f}-{max(ratios):.2f}x), "
              f"target <= {TARGET:g}x; count(*) as planned {_spread(times['planned'])} -> {ours / planned:.1f}x")
        result.rows.append(Row(f"retention GET 1M ({phase})", f"{ours:.3f} s", f"{heap:.3f} s count(*) seq",
                               f"{ours / heap:.2f}x", f"<= {TARGET:g}x", ours / heap <= TARGET))
    # The server's own CPU per request: steadier than wall time on a busy machine; reported, not judged.
    cpu = statistics.median(m["server_cpu"])
    print(f"  server CPU per GET: median {cpu * 1000:.0f} ms (range {min(m['server_cpu']) * 1000:.0f}-"
          f"{max(m['server_cpu']) * 1000:.0f} ms, {len(m['server_cpu'])} requests, 10 ms ticks)")
    result.rows.append(Row("retention GET 1M server CPU", f"{cpu * 1000:.0f} ms", "-", "-", "report", None))
    if busy:
        print(f"  WARNING {busy}")
        result.notes.append(busy)
    result.notes.append(
        f"retention_http: GET {PATH} end to end (client time, real app, uvicorn 1 worker) over "
        f"{loaded['assignments']:,} assignments vs SELECT count(*) FROM assignment scanning the table on a plain "
        f"asyncpg connection; interleaved, {ROUNDS} rounds; {cold_kind}; response {len(body):,} bytes")
    return result


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        serve(int(sys.argv[2]))
    else:
        asyncio.run(main()).emit()

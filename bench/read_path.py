"""Read path: ``GET /api/v1/people/{id}`` against a minimal Litestar app reading the same row.

Two uvicorn processes (one worker each) on the same database: peerwork from
``create_app(settings)``, with its real middleware, bearer-token authentication and route;
and the floor, a separate minimal Litestar app (no peerwork code at all) whose one route runs
one fixed primary-key SELECT on its own asyncpg pool. A load generator in a third process
drives the two in alternating rounds (ABBA order); the ratio is real/floor requests per second.

    python bench/read_path.py          # BENCH_CONNECTIONS, BENCH_ROUND_SECONDS, BENCH_ROUNDS
    BENCH_PROFILE_DIR=/tmp/p python bench/read_path.py   # also cProfile the peerwork server
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

from _common import (
    Result,
    Row,
    busy_note,
    free_port,
    fresh_database,
    others_busy,
)
from _server import cpu_seconds, http_get, start_server, stop, wait_until_up
from _loadgen import Load, run_load, tool_name

TARGET = 0.7
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
ROUND_SECONDS = float(os.environ.get("BENCH_ROUND_SECONDS", "2"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "7"))
PEOPLE = 5_000
FLOOR_PATH = "/people/{}"
REAL_PATH = "/api/v1/people/{}"
FLOOR_SQL = (
    "SELECT id, employee_number, given_name, family_name, email, created_at, updated_at "
    "FROM person WHERE id = $1"
)
FLOOR_KIND = "a minimal Litestar app in its own process, one raw asyncpg PK SELECT per request"


# --- the servers (each runs in its own subprocess) --------------------------------------


def _floor_app():
    """The floor: Litestar and asyncpg alone, nothing from peerwork."""
    import asyncpg
    from litestar import Litestar, get
    from litestar.exceptions import NotFoundException

    database_url = os.environ["PEERWORK_DATABASE_URL"]
    pools: dict[str, asyncpg.Pool] = {}

    async def open_pool() -> None:
        # The same pool size as peerwork's own engine (db.open_pool), so neither waits more.
        pools["db"] = await asyncpg.create_pool(database_url, min_size=1, max_size=10)

    async def close_pool() -> None:
        await pools["db"].close()

    @get("/people/{person_id:uuid}")
    async def person(person_id: UUID) -> dict:
        row = await pools["db"].fetchrow(FLOOR_SQL, person_id)
        if row is None:
            raise NotFoundException()
        return dict(row)

    @get("/health")
    async def health() -> dict:
        return {"status": "ok"}

    return Litestar([person, health], on_startup=[open_pool], on_shutdown=[close_pool])


def _peerwork_app():
    from peerwork.app import create_app
    from peerwork.core.settings import load_settings

    return create_app(load_settings())


def serve(port: int, which: str) -> None:
    import uvicorn

    app = _floor_app() if which == "floor" else _peerwork_app()
    # No access log: it would cost both servers the same, and only blur the ratio.
    config = {"host": "127.0.0.1", "port": port, "workers": 1, "log_level": "warning", "access_log": False}
    profile_dir = os.environ.get("BENCH_PROFILE_DIR")
    if not profile_dir or which == "floor":
        uvicorn.run(app, **config)
        return
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.runcall(uvicorn.run, app, **config)
    Path(profile_dir).mkdir(parents=True, exist_ok=True)
    profiler.dump_stats(Path(profile_dir) / "read_path_server.prof")
    with open(Path(profile_dir) / "read_path_server.txt", "w") as out:
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(60)


# --- the driver ---------------------------------------------------------------------------


async def seed() -> tuple[str, UUID]:
    """An organisation with PEOPLE people, an HR account and its API token; one person to read."""
    from peerwork.core import accounts
    from peerwork.workforce import organisations
    from peerwork.core.tables import Person

    org = await organisations.create_organisation("bench-trust", "Bench NHS Trust")
    account = await accounts.create_account(org.id, "hr@bench.example.org", ["hr"], display_name="Bench HR")
    token = await accounts.issue_api_token(account.id, org.id, label="bench")
    for first in range(0, PEOPLE, 1000):  # asyncpg takes at most 32767 arguments a query
        await Person.insert(*[
            Person(organisation=org.id, employee_number=f"E{i:06d}", given_name=f"Given{i}",
                   family_name=f"Family{i}", email=f"person{i}@bench.example.org")
            for i in range(first, min(first + 1000, PEOPLE))
        ])
    person = await Person.select(Person.id).where(Person.employee_number == f"E{PEOPLE // 2:06d}").first()
    return token.token, person["id"]












@dataclass
class Measured:
    real: Load
    floor: Load
    ratios: list[float]  # real/floor for each round, the two measured back to back
    real_cpu_us: float  # server CPU per request
    floor_cpu_us: float
    cpu_ratios: list[float]  # floor CPU/request over real CPU/request, each round

    @property
    def ratio(self) -> float:
        return statistics.median(self.ratios)

    @property
    def cpu_ratio(self) -> float:
        return statistics.median(self.cpu_ratios)


def measure(real_base: str, floor_base: str, token: str, person_id: UUID, pids: dict[str, int]) -> Measured:
    """Check both servers answer the same row, then alternate them in rounds (ABBA order)."""
    auth = {"Authorization": f"Bearer {token}"}
    real_url, floor_url = real_base + REAL_PATH.format(person_id), floor_base + FLOOR_PATH.format(person_id)

    real_status, real_body = http_get(real_url, auth)
    floor_status, floor_body = http_get(floor_url, {})
    if real_status != 200 or floor_status != 200:
        raise RuntimeError(f"real answered {real_status} {real_body[:300]!r}; floor answered {floor_status}")
    if json.loads(real_body) != json.loads(floor_body):
        raise RuntimeError(f"the two routes answer different rows:\n{real_body!r}\n{floor_body!r}")

    for url, headers in ((real_url, auth), (floor_url, {})):  # warm both up
        run_load(url, headers, 1, CONNECTIONS)
    loads: dict[str, list[Load]] = {"real": [], "floor": []}
    cpu = {"real": 0.0, "floor": 0.0}
    ratios, cpu_ratios = [], []
    for round_number in range(ROUNDS):
        round_cpu_us = {}
        order = [("real", real_url, auth), ("floor", floor_url, {})]
        for name, url, headers in order if round_number % 2 == 0 else order[::-1]:
            cpu_before = cpu_seconds(pids[name])
            load = run_load(url, headers, ROUND_SECONDS, CONNECTIONS)
            used = cpu_seconds(pids[name]) - cpu_before
            cpu[name] += used
            round_cpu_us[name] = 1e6 * used / max(load.requests, 1)
            if load.non_2xx or load.errors:
                raise RuntimeError(f"{name}: {load.non_2xx} non-2xx answers, {load.errors} socket errors")
            loads[name].append(load)
        real, floor = loads["real"][-1], loads["floor"][-1]
        ratios.append(real.rps / floor.rps)
        cpu_ratios.append(round_cpu_us["floor"] / round_cpu_us["real"])
        print(f"  round {round_number + 1}: real {real.rps:6.0f} req/s, floor {floor.rps:6.0f} req/s, "
              f"ratio {ratios[-1]:.2f}; CPU/request real {round_cpu_us['real']:.0f} us, "
              f"floor {round_cpu_us['floor']:.0f} us, ratio {cpu_ratios[-1]:.2f}")
    real, floor = (
        Load(runs[0].tool, sum(r.requests for r in runs), sum(r.seconds for r in runs), 0, 0)
        for runs in (loads["real"], loads["floor"])
    )
    return Measured(real, floor, ratios, 1e6 * cpu["real"] / real.requests, 1e6 * cpu["floor"] / floor.requests,
                    cpu_ratios)


async def main() -> Result:
    result = Result("read_path")
    async with fresh_database("read") as url:
        token, person_id = await seed()
        real_port, floor_port = free_port(), free_port()
        real_base, floor_base = f"http://127.0.0.1:{real_port}", f"http://127.0.0.1:{floor_port}"
        with tempfile.TemporaryDirectory(prefix="peerwork-bench-") as tmp:
            logs = {"real": Path(tmp) / "peerwork.log", "floor": Path(tmp) / "floor.log"}
            servers: dict[str, subprocess.Popen] = {}
            try:
                servers["real"] = start_server(__file__, real_port, url, logs["real"], "peerwork")
                servers["floor"] = start_server(__file__, floor_port, url, logs["floor"], "floor")
                wait_until_up(real_base, servers["real"], logs["real"], within=60)
                wait_until_up(floor_base, servers["floor"], logs["floor"], within=60)
                busy_before = others_busy()
                print(f"read_path: peerwork on {real_base}, floor on {floor_base} (uvicorn, 1 worker each); "
                      f"load: {tool_name()}, {CONNECTIONS} connections, {ROUNDS} rounds of {ROUND_SECONDS:g} s each")
                print(f"  floor: {FLOOR_KIND}")
                m = await asyncio.to_thread(measure, real_base, floor_base, token, person_id,
                                            {name: server.pid for name, server in servers.items()})
            finally:
                for server in servers.values():
                    stop(server)
            for name, server in servers.items():
                if server.returncode not in (0, -signal.SIGINT):
                    print(logs[name].read_text()[-3000:])
    busy = busy_note("read_path", busy_before, others_busy())
    print(f"  GET /api/v1/people/{{id}}: {m.real.rps:.0f} req/s, server CPU {m.real_cpu_us:.0f} us/request")
    print(f"  floor:                   {m.floor.rps:.0f} req/s, server CPU {m.floor_cpu_us:.0f} us/request")
    print(f"  ratio (median of rounds) {m.ratio:.2f}, range {min(m.ratios):.2f}-{max(m.ratios):.2f}, "
          f"target >= {TARGET}")
    print(f"  CPU/request ratio (floor/real, median of rounds) {m.cpu_ratio:.2f}, "
          f"range {min(m.cpu_ratios):.2f}-{max(m.cpu_ratios):.2f}")
    if busy:
        print(f"  WARNING {busy}")
        result.notes.append(busy)
    result.rows.append(Row(
        "read_path GET person", f"{m.real.rps:.0f} req/s", f"{m.floor.rps:.0f} req/s", f"{m.ratio:.2f}",
        f">= {TARGET}", m.ratio >= TARGET,
    ))
    # Less sensitive to other load on the machine than requests/s; reported, not judged.
    result.rows.append(Row(
        "read_path server CPU/request", f"{m.real_cpu_us:.0f} us", f"{m.floor_cpu_us:.0f} us",
        f"{m.cpu_ratio:.2f}", "report", None,
    ))
    result.notes.append(
        f"read_path: floor = {FLOOR_KIND}; load {m.real.tool}, {CONNECTIONS} connections, "
        f"{ROUNDS} x {ROUND_SECONDS:g} s per route; round ratios {', '.join(f'{r:.2f}' for r in m.ratios)}; "
        f"CPU/request round ratios {', '.join(f'{r:.2f}' for r in m.cpu_ratios)}"
    )
    return result


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        serve(int(sys.argv[2]), sys.argv[3])
    else:
        asyncio.run(main()).emit()

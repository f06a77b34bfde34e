"""Cold start: from starting the server to its first 200, against a minimal Litestar app.

"Ours" is ``peerwork serve`` (uvicorn, one process) on a migrated PostgreSQL database: the
wall time from spawning the process to the first 200 on ``/health``, then on ``/login`` (the
first page, which renders a template), and the CPU time the process had used by then (from
/proc; it barely moves when other work shares the machine, wall time does). The floor is
``bench/_minimal_app.py`` (one route) started the same way, by uvicorn in its own process with
the same interpreter. Rounds are interleaved, ours then the floors, so a busy machine slows
all alike; median and range.

Two kinds of start, each measured:
- **bytecode cached**, as an installed service starts (pip compiles modules when it installs;
  otherwise the first start writes them): a private cache (``PYTHONPYCACHEPREFIX``), filled by
  one untimed start of each app;
- **no bytecode cache** (``PYTHONDONTWRITEBYTECODE`` and an empty cache): every module is
  compiled from source on every start, as on the first start after an install that compiled
  nothing.

A second floor, ``bench/_minimal_app_same_routes.py``, is a minimal app with peerwork's own
routes (same paths and methods, trivial handlers): Litestar's cost of registering that many
routes, which no change in peerwork can remove. Its ratio is printed without a target.

    python bench/cold_start.py      # BENCH_ROUNDS (7)
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from _common import BENCH_DIR, Result, Row, bench_env, busy_note, free_port, fresh_database, others_busy
from cli_startup import peerwork_command

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "7"))
TARGET = 2.0
POLL = 0.01  # seconds between tries while the server is not up yet
TICKS = os.sysconf("SC_CLK_TCK")


def status_of(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None  # not listening yet


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used so far (/proc/PID/stat fields 14 and 15)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def time_to_200(command: list[str], env: dict[str, str], port: int, paths: list[str]
                ) -> list[tuple[float, float]]:
    """(wall seconds from spawning ``command``, CPU seconds it used) at the first 200 on each
    path in turn; the server is stopped."""
    started = time.perf_counter()
    server = subprocess.Popen(command, env=env, cwd=BENCH_DIR, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        times = []
        for path in paths:
            while status_of(f"http://127.0.0.1:{port}{path}") != 200:
                if server.poll() is not None:
                    raise SystemExit(f"{' '.join(command)} exited: {server.stderr.read().decode()[-800:]}")
                if time.perf_counter() - started > 120:
                    raise SystemExit(f"{' '.join(command)}: no 200 on {path} within 120 s")
                time.sleep(POLL)
            times.append((time.perf_counter() - started, cpu_seconds(server.pid)))
        return times
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def route_table(path: Path) -> int:
    """peerwork's routes as ``[path, [methods]]`` (not the OpenAPI document's own routes, nor the
    OPTIONS handlers Litestar adds by itself), for the same-routes floor; how many."""
    from litestar.routes import HTTPRoute

    from peerwork.app import create_app
    from peerwork.core.settings import load_settings

    app = create_app(load_settings())
    schema = app.openapi_config.path
    table = [[route.path, sorted(handler.http_methods)]
             for route in app.routes if isinstance(route, HTTPRoute)
             and route.path != schema and not route.path.startswith(schema + "/")
             for handler in route.route_handlers if set(handler.http_methods) != {"OPTIONS"}]
    path.write_text(json.dumps(table))
    return len(table)


def describe(times: list[float]) -> str:
    return f"{statistics.median(times):.2f} s ({min(times):.2f}-{max(times):.2f})"


def ratio(ours: list[float], floor: list[float]) -> float:
    return statistics.median(ours) / statistics.median(floor)


async def run() -> Result:
    result = Result(bench="cold_start")
    async with fresh_database("cold_start"):
        with tempfile.TemporaryDirectory(prefix="peerwork-cold-start-") as tmp:
            routes_file = Path(tmp) / "routes.json"
            handlers = route_table(routes_file)
            base = bench_env(BENCH_ROUTES=str(routes_file))  # carries PEERWORK_DATABASE_URL
            base.pop("PYTHONDONTWRITEBYTECODE", None)
            envs = {
                "bytecode cached": {**base, "PYTHONPYCACHEPREFIX": str(Path(tmp) / "pycache")},
                "no bytecode cache": {**base, "PYTHONPYCACHEPREFIX": str(Path(tmp) / "empty"),
                                      "PYTHONDONTWRITEBYTECODE": "1"},
            }

            def apps(port: int) -> dict[str, tuple[list[str], list[str]]]:
                uvicorn = [sys.executable, "-m", "uvicorn", "--port", str(port), "--log-level", "warning"]
                return {"ours": ([*peerwork_command(), "serve", "--port", str(port)], ["/health", "/login"]),
                        "floor": ([*uvicorn, "_minimal_app:app"], ["/health"]),
                        "same routes": ([*uvicorn, "_minimal_app_same_routes:app"], ["/health"])}

            for name in apps(0):  # one untimed start each: the OS's file cache, the bytecode cache
                port = free_port()
                command, paths = apps(port)[name]
                time_to_200(command, envs["bytecode cached"], port, paths)
            wall = {(kind, name): [] for kind in envs for name in ("ours", "ours /login", "floor", "same routes")}
            cpu = {key: [] for key in wall}
            before = others_busy()
            for _ in range(ROUNDS):
                for kind, env in envs.items():
                    for name in ("ours", "floor", "same routes"):
                        port = free_port()
                        command, paths = apps(port)[name]
                        measured = time_to_200(command, env, port, paths)
                        for key, (seconds, used) in zip([name, f"{name} /login"], measured):
                            wall[(kind, key)].append(seconds)
                            cpu[(kind, key)].append(used)
            after = others_busy(0.5)

    for kind in envs:
        ours, login, floor, same = (wall[(kind, name)] for name in ("ours", "ours /login", "floor", "same routes"))
        print(f"{kind}: peerwork serve first 200 on /health {describe(ours)}, on /login {describe(login)}; "
              f"minimal app {describe(floor)}; minimal app with peerwork's {handlers} routes {describe(same)}; "
              f"CPU to /health: ours {describe(cpu[(kind, 'ours')])}, minimal {describe(cpu[(kind, 'floor')])}, "
              f"same routes {describe(cpu[(kind, 'same routes')])}; {ROUNDS} rounds")
        for label, values in (("/health", ours), ("/login", login)):
            value = ratio(values, floor)
            result.rows.append(Row(f"cold start to first 200, {label} ({kind})", describe(values),
                                   f"{describe(floor)} minimal app", f"{value:.2f}x", f"<= {TARGET}x",
                                   value <= TARGET))
        result.rows.append(Row(
            f"CPU to first 200, /health ({kind})", describe(cpu[(kind, "ours")]),
            f"{describe(cpu[(kind, 'floor')])} minimal app", f"{ratio(cpu[(kind, 'ours')], cpu[(kind, 'floor')]):.2f}x",
            "", None))
        result.rows.append(Row(
            f"cold start to first 200, /health ({kind}), vs Litestar with as many routes", describe(ours),
            f"{describe(same)} minimal app, {handlers} routes", f"{ratio(ours, same):.2f}x", "", None))
    note = busy_note("cold_start", before, after)
    if note:
        result.notes.append(note)
    return result


def main() -> Result:
    return asyncio.run(run())


if __name__ == "__main__":
    main().emit()

"""Cold start: from starting the server to its first 200, against a minimal Litestar app.

"Ours" is ``peerwork serve`` (uvicorn, one process) on a migrated PostgreSQL database: the
wall time from spawning the process to the first 200 on ``/health``, then on ``/login`` (the
first page, which renders a template). The floor is ``bench/_minimal_app.py`` (one route)
started the same way, by uvicorn in its own process with the same interpreter. Rounds are
interleaved, ours then the floor, so a busy machine slows both alike; median and range.

    python bench/cold_start.py      # BENCH_ROUNDS (7)
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request

from _common import BENCH_DIR, Result, Row, bench_env, busy_note, free_port, fresh_database, others_busy
from cli_startup import peerwork_command

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "7"))
TARGET = 2.0
POLL = 0.01  # seconds between tries while the server is not up yet


def status_of(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None  # not listening yet


def time_to_200(command: list[str], env: dict[str, str], port: int, paths: list[str]) -> list[float]:
    """Seconds from spawning ``command`` to the first 200 on each path in turn; the server is stopped."""
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
            times.append(time.perf_counter() - started)
        return times
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def describe(times: list[float]) -> str:
    return f"{statistics.median(times):.2f} s ({min(times):.2f}-{max(times):.2f})"


async def run() -> Result:
    async with fresh_database("cold_start"):
        env = bench_env()  # carries PEERWORK_DATABASE_URL, set by fresh_database
        ours_health, ours_login, floor = [], [], []
        before = others_busy()
        for _ in range(ROUNDS):
            port = free_port()
            health, login = time_to_200([*peerwork_command(), "serve", "--port", str(port)], env, port,
                                        ["/health", "/login"])
            ours_health.append(health)
            ours_login.append(login)
            port = free_port()
            floor.append(time_to_200([sys.executable, "-m", "uvicorn", "_minimal_app:app", "--port", str(port),
                                      "--log-level", "warning"], env, port, ["/health"])[0])
        after = others_busy(0.5)
    ratio_health = statistics.median(ours_health) / statistics.median(floor)
    ratio_login = statistics.median(ours_login) / statistics.median(floor)
    print(f"peerwork serve: first 200 on /health {describe(ours_health)}, on /login {describe(ours_login)}; "
          f"minimal Litestar app {describe(floor)}; {ROUNDS} rounds")
    result = Result(bench="cold_start", rows=[
        Row("cold start to first 200, /health", describe(ours_health), describe(floor), f"{ratio_health:.2f}x",
            f"<= {TARGET}x", ratio_health <= TARGET),
        Row("cold start to first 200, /login", describe(ours_login), describe(floor), f"{ratio_login:.2f}x",
            f"<= {TARGET}x", ratio_login <= TARGET),
    ])
    note = busy_note("cold_start", before, after)
    if note:
        result.notes.append(note)
    return result


def main() -> Result:
    return asyncio.run(run())


if __name__ == "__main__":
    main().emit()

"""What every benchmark shares: a throw-away PostgreSQL database, free ports, the result line.

Each benchmark prints one ``BENCH_RESULT {json}`` line that ``bench/__main__.py`` gathers
into the summary table; everything else it prints is for the person reading the log.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
RESULT_PREFIX = "BENCH_RESULT "


def database_url(name: str) -> str:
    return urlunsplit(urlsplit(ADMIN_URL)._replace(path=f"/{name}"))


def new_database_name(bench: str) -> str:
    return f"peerwork_bench_{bench}_{secrets.token_hex(4)}"


async def _admin(sql: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(ADMIN_URL)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@asynccontextmanager
async def fresh_database(bench: str) -> AsyncIterator[str]:
    """A new database, migrated, chosen as peerwork's database; dropped on the way out.

    Sets ``PEERWORK_DATABASE_URL`` so that subprocesses started inside find it too.
    """
    name = new_database_name(bench)
    url = database_url(name)
    await _admin(f'CREATE DATABASE "{name}"')
    try:
        os.environ["PEERWORK_DATABASE_URL"] = url
        from peerwork.core.db import close_pool, open_pool, use_database
        from peerwork.core.migrate import migrate

        engine = use_database(url)
        await open_pool(engine)
        try:
            await migrate(quiet=True)
            yield url
        finally:
            await close_pool(engine)
    finally:
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_env(**extra: str) -> dict[str, str]:
    """The environment for a peerwork subprocess: quiet, no scheduler, a fixed key."""
    env = dict(os.environ)
    env.setdefault("PEERWORK_SECRET_KEY", "bench-" + secrets.token_hex(16))
    env.update(PEERWORK_SCHEDULER="false", PEERWORK_LOG_LEVEL="WARNING", PEERWORK_DEBUG="false")
    env.update(extra)
    return env


@dataclass
class Row:
    """One line of the summary table. ``passed`` is None for figures reported without a target."""

    name: str
    ours: str
    floor: str
    ratio: str
    target: str
    passed: bool | None


@dataclass
class Result:
    bench: str
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def emit(self) -> None:
        print(RESULT_PREFIX + json.dumps(asdict(self)), flush=True)


def _cpu_times() -> tuple[int, int]:
    """(idle, total) jiffies over all cores since boot, from /proc/stat."""
    values = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return values[3] + values[4], sum(values)  # idle + iowait


def others_busy(seconds: float = 1.0) -> float:
    """Fraction of the machine's CPU in use right now; call it while the benchmark is idle."""
    import time

    idle_before, total_before = _cpu_times()
    time.sleep(seconds)
    idle_after, total_after = _cpu_times()
    total = total_after - total_before
    return 1 - (idle_after - idle_before) / total if total else 0.0


def busy_note(name: str, before: float, after: float) -> str | None:
    """A warning when other work was using the machine around this benchmark's run."""
    if max(before, after) < 0.25:
        return None
    return (
        f"{name}: other processes were using {before:.0%} / {after:.0%} of the CPUs before / after this "
        f"benchmark: its ratio is less trustworthy than on a quiet machine"
    )

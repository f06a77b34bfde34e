"""How fast the command line answers: `peerwork --help`, and `peerwork retention` on a demo database.

"Ours" is the wall time of a whole process, as a person at a terminal waits for it: start
Python, import what the command needs, and (for retention) open the database, compute the
figures and print the table. The floor is `python -c pass` with the same interpreter, measured
in the same run and interleaved with ours, so a busy machine slows both alike. The database is
the one `make run` makes: a SQLite file, migrated, with the demo loaded (made once, before
timing; retention reports its first organisation).

    python bench/cli_startup.py        # BENCH_RUNS (9) of each
"""

from __future__ import annotations

import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import Result, Row, bench_env, busy_note, others_busy

RUNS = int(os.environ.get("BENCH_RUNS", "9"))
TARGETS = {"help": 15.0, "retention": 60.0}


def peerwork_command() -> list[str]:
    """The installed console script where there is one (what people type), else the module."""
    script = Path(sys.executable).with_name("peerwork")
    return [str(script)] if script.exists() else [sys.executable, "-m", "peerwork.cli"]


def wall_time(command: list[str], env: dict[str, str], cwd: Path) -> float:
    started = time.perf_counter()
    result = subprocess.run(command, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({result.returncode}): {result.stderr.decode()[-500:]}")
    return elapsed


def demo_database(folder: Path, env: dict[str, str]) -> str:
    """Migrate and load the demo as `make run` does; the slug of the first organisation."""
    for step in (["migrate", "--quiet"], ["demo"]):
        subprocess.run([*peerwork_command(), *step], env=env, cwd=folder, check=True, stdout=subprocess.DEVNULL,
                       timeout=600)
    with sqlite3.connect(folder / "var" / "peerwork.sqlite3") as connection:
        (slug,) = connection.execute("SELECT slug FROM organisation ORDER BY slug LIMIT 1").fetchone()
    return slug


def describe(times: list[float]) -> str:
    return f"{statistics.median(times) * 1000:.0f} ms ({min(times) * 1000:.0f}-{max(times) * 1000:.0f})"


def main() -> None:
    busy_before = others_busy()
    with tempfile.TemporaryDirectory(prefix="peerwork-cli-bench-") as tmp:
        folder = Path(tmp)
        env = bench_env(PEERWORK_DATABASE_URL=f"sqlite:///{folder / 'var' / 'peerwork.sqlite3'}")
        slug = demo_database(folder, env)
        commands = {
            "floor": [sys.executable, "-c", "pass"],
            "help": [*peerwork_command(), "--help"],
            "retention": [*peerwork_command(), "retention", "--org", slug],
        }
        for command in commands.values():  # once each untimed: the OS's file cache, .pyc files
            wall_time(command, env, folder)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(RUNS):
            for name, command in commands.items():
                times[name].append(wall_time(command, env, folder))

    floor = statistics.median(times["floor"])
    result = Result("cli_startup")
    for name, label in (("help", "peerwork --help"), ("retention", f"peerwork retention --org {slug} (demo)")):
        ratio = statistics.median(times[name]) / floor
        result.rows.append(Row(
            name=label, ours=describe(times[name]), floor=f"{describe(times['floor'])} python -c pass",
            ratio=f"{ratio:.1f}x", target=f"<= {TARGETS[name]:.0f}x", passed=ratio <= TARGETS[name]))
    if note := busy_note("cli_startup", busy_before, others_busy()):
        result.notes.append(note)
    for name, values in times.items():
        print(f"{name}: median {describe(values)} over {RUNS} runs; ms {[round(v * 1000) for v in values]}")
    result.emit()


if __name__ == "__main__":
    main()

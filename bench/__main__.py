"""Run the benchmarks and print one table: name, ours, floor, ratio, target, pass/fail.

    bench/run                 # all of them (what `make bench` calls)
    bench/run read_path       # only some, by name

Every ``bench/NAME.py`` not starting with ``_`` is a benchmark: run as a script in its own
process (with its own throw-away database), it prints its log and one ``BENCH_RESULT`` line
(see ``_common.Result``), from which the table is gathered. Exit status 1 when a target is
missed or a benchmark fails, 0 otherwise.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

from _common import RESULT_PREFIX

# Every bench/NAME.py not starting with "_" is a benchmark; these run first, the rest by name.
FIRST = ("read_path", "import_csv")
BENCHES = tuple(sorted(
    (p.stem for p in BENCH_DIR.glob("*.py") if not p.name.startswith("_")),
    key=lambda name: (FIRST.index(name) if name in FIRST else len(FIRST), name),
))
TIME_LIMIT = 300  # seconds per benchmark; each is meant to take under two minutes


def run(name: str) -> dict:
    started = time.monotonic()
    print(f"--- {name}", flush=True)
    process = subprocess.Popen(
        [sys.executable, str(BENCH_DIR / f"{name}.py")], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,  # so the watchdog can end the benchmark and the servers it started
    )
    watchdog = threading.Timer(TIME_LIMIT, os.killpg, (process.pid, signal.SIGKILL))
    watchdog.start()
    result = None
    try:
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith(RESULT_PREFIX):
                result = json.loads(line[len(RESULT_PREFIX):])
            else:
                print(line, end="", flush=True)
        process.wait()
    except KeyboardInterrupt:  # its own session does not see the terminal's Ctrl-C: pass it on
        os.killpg(process.pid, signal.SIGINT)
        process.wait()
        raise
    finally:
        watchdog.cancel()
    seconds = time.monotonic() - started
    print(f"--- {name}: {seconds:.0f} s", flush=True)
    if process.returncode != 0 or result is None:
        why = f"killed after {TIME_LIMIT} s" if seconds >= TIME_LIMIT else f"exit status {process.returncode}"
        return {"bench": name, "rows": [{
            "name": name, "ours": "-", "floor": "-", "ratio": "-", "target": "runs", "passed": False,
        }], "notes": [f"{name}: failed ({why}); its log is above"]}
    return result


def table(results: list[dict]) -> str:
    header = ("benchmark", "ours", "floor", "ratio", "target", "result")
    rows = [
        (r["name"], r["ours"], r["floor"], r["ratio"], r["target"],
         {True: "pass", False: "FAIL", None: "-"}[r["passed"]])
        for result in results for r in result["rows"]
    ]
    widths = [max(len(str(x[i])) for x in [header, *rows]) for i in range(len(header))]

    def line(cells) -> str:
        return "  ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    return "\n".join([line(header), line(["-" * w for w in widths]), *(line(r) for r in rows)])


def main(names: list[str]) -> int:
    unknown = [n for n in names if n not in BENCHES]
    if unknown:
        print(f"No benchmark called {', '.join(unknown)}; choose from: {', '.join(BENCHES)}.", file=sys.stderr)
        return 2
    results = [run(name) for name in names or BENCHES]
    print()
    print(table(results))
    for result in results:
        for note in result["notes"]:
            print(f"  {note}")
    failed = any(r["passed"] is False for result in results for r in result["rows"])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

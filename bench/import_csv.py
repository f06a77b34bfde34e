"""Import: ``import_assignments`` of a 100,000-row ESR-style CSV against COPY of the same file.

The file (made here, deterministic): about 60,000 people with one to three assignments each,
dates in both accepted formats, 5% lived-experience roles, ~50 teams, some leavers. The
import runs in a subprocess, into a fresh organisation, so its peak memory is its own; it
then imports the same file again, which must create and update nothing. The floor is
PostgreSQL's COPY of the same file into a bare table with the same columns (no keys, no
indexes) in the same database, measured three times before and three after the import (the median).

    python bench/import_csv.py        # BENCH_IMPORT_ROWS (100000), BENCH_IMPORT_PEOPLE (60000)
"""

from __future__ import annotations

import asyncio
import csv
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from _common import Result, Row, bench_env, busy_note, fresh_database, others_busy

TARGET = 5.0
ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "100000"))
PEOPLE = int(os.environ.get("BENCH_IMPORT_PEOPLE", str(ROWS * 3 // 5)))
COLUMNS = (
    "assignment_number", "person_id", "position_title", "lived_experience_role", "afc_band",
    "team", "start_date", "end_date", "leaving_reason", "fte",
)
FLOOR_TABLE = "bench_copy_floor"
FLOOR_DDL = f"""
CREATE TABLE {FLOOR_TABLE} (
    assignment_number text, person_id text, position_title text, lived_experience_role text,
    afc_band text, team text, start_date date, end_date date, leaving_reason text, fte text
)"""

PEER_TITLES = ("Peer Support Worker", "Senior Peer Support Worker", "Peer Lead", "Peer Trainer")
OTHER_TITLES = (
    "Staff Nurse", "Healthcare Assistant", "Occupational Therapist", "Clinical Psychologist",
    "Ward Manager", "Support Time and Recovery Worker", "Administrator", "Social Worker",
    "Consultant Psychiatrist", "Pharmacist", "Team Leader", "Art Therapist",
)
BANDS = ("2", "3", "4", "5", "6", "7", "8a", "8b", "8c", "8d", "9")
TEAMS = tuple(
    f"{place} {kind}"
    for place in ("Northgate", "Riverside", "Hillcrest", "Oakwood", "Meadowbank", "Castlefield", "Elm Park",
                  "Westbrook", "Ashford", "Kingsmead")
    for kind in ("Ward", "Community Mental Health Team", "Crisis Team", "Recovery College", "Early Intervention")
)  # 50 teams
LEAVING_REASONS = (
    "Voluntary Resignation - Relocation", "Voluntary Resignation - Work Life Balance",
    "Retirement Age", "End of Fixed Term Contract", "Voluntary Resignation - Promotion",
    "Dismissal - Capability", "Redundancy - Compulsory", "Flexi Retirement",
    "Voluntary Resignation - Other/Not Known, see notes",  # a comma, so the CSV quotes it
)


def make_csv(path: Path, rows: int = ROWS, people: int = PEOPLE, seed: int = 20261123) -> dict[str, int]:
    """Write the file; return what an import of it must report."""
    rng = random.Random(seed)
    # Everyone has one assignment; the rest go, two or three at a time, to some of them.
    counts = [1] * people
    extra = rows - people
    if extra < 0:
        raise ValueError("fewer rows than people")
    person = 0
    while extra:
        add = min(extra, rng.choice((1, 1, 2)))
        counts[person] += add
        extra -= add
        person += 1
    numbers = rng.sample(range(10_000_000, 99_999_999), people)
    lines = []
    teams_used = set()
    for number, count in zip(numbers, counts, strict=True):
        for k in range(1, count + 1):
            lived = rng.random() < 0.05
            start = date(2005, 1, 1) + timedelta(days=rng.randrange(7300))
            leaver = rng.random() < 0.25
            end = start + timedelta(days=rng.randrange(30, 2000)) if leaver else None
            team = rng.choice(TEAMS) if rng.random() < 0.95 else ""
            teams_used.add(team)
            band = rng.choice(BANDS) if rng.random() < 0.9 else ""
            lines.append((
                f"{number}-{k}", str(number),
                rng.choice(PEER_TITLES if lived else OTHER_TITLES),
                "Y" if lived else "N",
                f"Band {band}" if band and rng.random() < 0.2 else band,
                team,
                _date(start, rng), _date(end, rng) if end else "",
                rng.choice(LEAVING_REASONS) if end else "",
                rng.choice(("1", "1.0", "1.0000", "0.8", "0.6", "0.5", "0.4", "0.53333", "")),
            ))
    rng.shuffle(lines)
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        writer.writerows(lines)
    return {"rows": rows, "people": people, "teams": len(teams_used - {""})}


def _date(value: date, rng: random.Random) -> str:
    return value.isoformat() if rng.random() < 0.5 else value.strftime("%d/%m/%Y")


# --- the importing process ---------------------------------------------------------------


async def child(csv_path: str) -> dict:
    import resource

    from peerwork.core.db import close_pool, open_pool, use_database
    from peerwork.core.settings import load_settings
    from peerwork.workforce import organisations
    from peerwork.workforce.importer import import_assignments

    def peak_mib() -> float:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux

    engine = use_database(load_settings().database_url)
    await open_pool(engine)
    phases = _time_phases()
    try:
        org = await organisations.create_organisation("bench-import", "Bench Import NHS Trust")
        data = Path(csv_path).read_bytes()
        out: dict = {"baseline_peak_mib": peak_mib()}
        for attempt in ("first", "second"):
            phases.clear()
            cpu_before = time.process_time()
            started = time.perf_counter()
            report = await import_assignments(org.id, data)
            out[attempt] = {
                "phases": dict(phases), "cpu_seconds": time.process_time() - cpu_before,
                "seconds": time.perf_counter() - started, "rows": report.rows, "created": report.created,
                "updated": report.updated, "unchanged": report.unchanged, "people_created": report.people_created,
                "teams_created": report.teams_created, "errors": len(report.errors), "applied": report.applied,
                "first_errors": [str(e) for e in report.errors[:5]], "peak_mib": peak_mib(),
            }
        out["organisation_id"] = str(org.id)
        return out
    finally:
        await close_pool(engine)


def _time_phases() -> dict[str, float]:
    """Seconds spent in each of the importer's phases, for the log (a diagnosis, not a figure).

    Wraps the importer's own functions where they exist under these names; a renamed one is
    simply not timed.
    """
    import inspect

    import asyncpg

    from peerwork.workforce import importer

    spent: dict[str, float] = {}

    def wrap(owner: object, name: str, label: str) -> None:
        original = getattr(owner, name, None)
        if original is None:
            return
        if inspect.iscoroutinefunction(original):
            async def timed(*args, **kwargs):
                started = time.perf_counter()
                try:
                    return await original(*args, **kwargs)
                finally:
                    spent[label] = spent.get(label, 0.0) + time.perf_counter() - started
        else:
            def timed(*args, **kwargs):
                started = time.perf_counter()
                try:
                    return original(*args, **kwargs)
                finally:
                    spent[label] = spent.get(label, 0.0) + time.perf_counter() - started
        setattr(owner, name, timed)

    wrap(importer, "parse_assignments", "parse+check CSV")
    wrap(importer, "_current_state", "read current rows")
    wrap(importer, "plan_import", "plan")
    wrap(importer, "_write", "write (all)")
    wrap(asyncpg.Connection, "copy_records_to_table", "of which COPY to real tables")
    return spent


# --- the driver ---------------------------------------------------------------------------


async def copy_floor(url: str, csv_path: Path) -> float:
    """Seconds to COPY the file into the bare table (emptied first, not timed)."""
    import asyncpg

    connection = await asyncpg.connect(url)
    try:
        await connection.execute(f"TRUNCATE {FLOOR_TABLE}")
        await connection.execute("SET datestyle = 'ISO, DMY'")  # both of the file's date formats
        started = time.perf_counter()
        await connection.copy_to_table(FLOOR_TABLE, source=str(csv_path), format="csv", header=True)
        seconds = time.perf_counter() - started
        copied = await connection.fetchval(f"SELECT count(*) FROM {FLOOR_TABLE}")
        if copied != ROWS:
            raise RuntimeError(f"COPY loaded {copied} rows, not {ROWS}")
        return seconds
    finally:
        await connection.close()


def run_child(csv_path: Path, url: str) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(csv_path)], env=bench_env(PEERWORK_DATABASE_URL=url),
        capture_output=True, text=True, timeout=600, check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the import process failed ({done.returncode}):\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


async def count_rows(organisation_id: str) -> tuple[int, int, int]:
    from peerwork.workforce.tables import Assignment, Team
    from peerwork.core.tables import Person

    return (
        await Assignment.count().where(Assignment.organisation == organisation_id),
        await Person.count().where(Person.organisation == organisation_id),
        await Team.count().where(Team.organisation == organisation_id),
    )


async def main() -> Result:
    result = Result("import_csv")
    with tempfile.TemporaryDirectory(prefix="peerwork-bench-") as tmp:
        csv_path = Path(tmp) / "assignments.csv"
        started = time.perf_counter()
        expected = make_csv(csv_path)
        print(f"import_csv: {expected['rows']:,} rows, {expected['people']:,} people, {expected['teams']} teams, "
              f"{csv_path.stat().st_size / 2**20:.1f} MiB (made in {time.perf_counter() - started:.1f} s)")
        async with fresh_database("import") as url:
            from peerwork.core.db import current_engine

            await current_engine().run_ddl(FLOOR_DDL)
            busy_before = others_busy()
            floors = [await copy_floor(url, csv_path) for _ in range(3)]
            imported = await asyncio.to_thread(run_child, csv_path, url)
            floors += [await copy_floor(url, csv_path) for _ in range(3)]
            stored = await count_rows(imported["organisation_id"])
            busy = busy_note("import_csv", busy_before, others_busy())
    floor = statistics.median(floors)
    first, second = imported["first"], imported["second"]
    print(f"  COPY into a bare table: {', '.join(f'{s:.2f}' for s in floors)} s (median {floor:.2f} s)")
    for name, run in (("first import ", first), ("second import", second)):
        print(f"  {name}: {run['seconds']:.2f} s (importer CPU {run['cpu_seconds']:.2f} s); "
              f"created {run['created']:,}, updated {run['updated']:,}, unchanged {run['unchanged']:,}, "
              f"people created {run['people_created']:,}, teams created {run['teams_created']}, "
              f"errors {run['errors']}; peak RSS so far {run['peak_mib']:.0f} MiB")
        print("      phases: " + ", ".join(f"{k} {v:.2f} s" for k, v in run["phases"].items()))
    print(f"  stored: {stored[0]:,} assignments, {stored[1]:,} people, {stored[2]} teams; "
          f"importing process peak RSS {second['peak_mib']:.0f} MiB "
          f"(before importing {imported['baseline_peak_mib']:.0f} MiB)")

    correct = (
        first["errors"] == 0 and first["created"] == expected["rows"] and first["people_created"] == expected["people"]
        and first["teams_created"] == expected["teams"]
        and stored == (expected["rows"], expected["people"], expected["teams"])
    )
    if not correct:
        print(f"  WRONG: expected {expected}; first errors: {first['first_errors']}")
    idempotent = second["created"] == 0 and second["updated"] == 0 and second["errors"] == 0
    ratio = first["seconds"] / floor
    ratio_again = second["seconds"] / floor
    print(f"  ratio import/COPY {ratio:.1f} (target <= {TARGET:g}); re-import/COPY {ratio_again:.1f}")
    if busy:
        print(f"  WARNING {busy}")
        result.notes.append(busy)
    result.rows += [
        Row("import_csv 100k rows", f"{first['seconds']:.2f} s", f"{floor:.2f} s COPY", f"{ratio:.1f}x",
            f"<= {TARGET:g}x", correct and ratio <= TARGET),
        Row("import_csv re-import (same file)", f"{second['seconds']:.2f} s", f"{floor:.2f} s COPY",
            f"{ratio_again:.1f}x", "0 created, 0 updated", idempotent),
        Row("import_csv peak RSS", f"{second['peak_mib']:.0f} MiB", f"{imported['baseline_peak_mib']:.0f} MiB idle",
            "-", "report", None),
    ]
    result.notes.append(
        f"import_csv: first import created {first['created']:,} assignments, {first['people_created']:,} people, "
        f"{first['teams_created']} teams; re-import created {second['created']}, updated {second['updated']}, "
        f"unchanged {second['unchanged']:,}; floor = COPY (csv) into a bare table, no keys or indexes"
    )
    return result


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        print(json.dumps(asyncio.run(child(sys.argv[2]))))
    else:
        asyncio.run(main()).emit()

"""Import: the whole ``peerwork import assignments`` command on a 100,000-row ESR-style CSV,
against psql COPY of the same person and assignment rows into the same tables.

The file (made here, deterministic): about 60,000 people with one to three assignments each,
dates in both accepted formats, 5% lived-experience roles, ~50 teams, some leavers.

Each round, interleaved because the machine drifts:
1. the floor: ``psql -1`` running ``\\copy`` of the same person rows and assignment rows (already
   in their stored form: ids, team ids, ISO dates) into the real ``person`` and ``assignment``
   tables, with every index and foreign key, in one transaction, into an organisation of its own
   (emptied afterwards, untimed);
2. the command, in its own process (start-up included), into a fresh organisation;
3. the same command again on the same file, which must create and update nothing.
COPY of the file into a bare table (no keys, no indexes) is printed for information only.
Peak RSS is the importing process's own (wait4 in a small launcher); a larger file (BENCH_IMPORT_BIG_ROWS, 1,000,000;
0 skips it) is imported once to show that memory stays flat in the number of rows.

    python bench/import_csv.py   # BENCH_IMPORT_ROWS (100000), BENCH_IMPORT_ROUNDS (5), BENCH_IMPORT_BIG_ROWS
"""

from __future__ import annotations

import asyncio
import csv
import re
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

TARGET = 1.5
TARGET_AGAIN = 0.5
ROUNDS = int(os.environ.get("BENCH_IMPORT_ROUNDS", "5"))
BIG_ROWS = int(os.environ.get("BENCH_IMPORT_BIG_ROWS", "1000000"))
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


# --- the floor: psql COPY of the stored rows into the real tables --------------------------


def stored_rows(csv_path: Path, organisation_id: str, team_ids: dict[str, str], out_dir: Path) -> tuple[Path, Path]:
    """Write the file's people and assignments as the tables hold them (made once, untimed)."""
    import uuid

    from peerwork.workforce.rules import parse_band, parse_date

    now = "2026-01-01 00:00:00+00"
    people: dict[str, str] = {}
    people_path, assignments_path = out_dir / "floor_people.csv", out_dir / "floor_assignments.csv"
    with open(csv_path, newline="", encoding="utf-8") as source, \
            open(assignments_path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        for row in csv.DictReader(source):
            person = people.setdefault(row["person_id"], str(uuid.uuid4()))
            end = parse_date(row["end_date"]).isoformat() if row["end_date"] else ""
            writer.writerow((
                uuid.uuid4(), organisation_id, person, row["assignment_number"], row["position_title"],
                "t" if row["lived_experience_role"] == "Y" else "f", parse_band(row["afc_band"]) or "",
                team_ids.get(row["team"], ""), parse_date(row["start_date"]).isoformat(), end,
                row["leaving_reason"], row["fte"], "", now,
            ))
    with open(people_path, "w", newline="", encoding="utf-8") as out:
        csv.writer(out).writerows((i, organisation_id, number, now, now) for number, i in people.items())
    return people_path, assignments_path


def psql_floor(url: str, people_path: Path, assignments_path: Path, organisation_id: str) -> float:
    """Seconds for psql to COPY the people and assignments in one transaction (then emptied, untimed)."""
    script = people_path.parent / "floor.sql"
    script.write_text(
        f"\\copy person (id, organisation, employee_number, created_at, updated_at) FROM '{people_path}' "
        "WITH (FORMAT csv)\n"
        "\\copy assignment (id, organisation, person, assignment_number, position_title, lived_experience_role, "
        "afc_band, team, start_date, end_date, leaving_reason, fte, line_manager_assignment_number, updated_at) "
        f"FROM '{assignments_path}' WITH (FORMAT csv)\n"
    )
    started = time.perf_counter()
    subprocess.run(["psql", "-X", "-q", "-1", "-v", "ON_ERROR_STOP=1", "-d", url, "-f", str(script)],
                   check=True, capture_output=True, text=True, timeout=600)
    seconds = time.perf_counter() - started
    subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-c",
                    f"DELETE FROM assignment WHERE organisation = '{organisation_id}'; "
                    f"DELETE FROM person WHERE organisation = '{organisation_id}'"],
                   check=True, capture_output=True, text=True, timeout=600)
    return seconds


async def bare_copy(url: str, csv_path: Path, rows: int) -> float:
    """Seconds to COPY the file as it is into a bare table (for information: no keys, no indexes)."""
    import asyncpg

    connection = await asyncpg.connect(url)
    try:
        await connection.execute(f"TRUNCATE {FLOOR_TABLE}")
        await connection.execute("SET datestyle = 'ISO, DMY'")  # both of the file's date formats
        started = time.perf_counter()
        await connection.copy_to_table(FLOOR_TABLE, source=str(csv_path), format="csv", header=True)
        seconds = time.perf_counter() - started
        copied = await connection.fetchval(f"SELECT count(*) FROM {FLOOR_TABLE}")
        if copied != rows:
            raise RuntimeError(f"COPY loaded {copied} rows, not {rows}")
        return seconds
    finally:
        await connection.close()


# --- the command ---------------------------------------------------------------------------

_SUMMARY = re.compile(r"(\d+) created, (\d+) updated, (\d+) unchanged \((\d+) new people, (\d+) new teams\)")


# Runs the command as a fork of this small process, so the peak RSS that wait4 reports is the
# command's own: a child spawned straight from the benchmark would count the benchmark's memory
# too (Linux keeps the highest RSS across exec). It adds ~20 ms to the time measured.
_LAUNCHER = """import os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as out:
    out.write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_command(csv_path: Path, slug: str) -> dict:
    """``peerwork import assignments`` in its own process: wall seconds (start-up included), its own
    peak RSS and the summary it prints."""
    argv = [sys.executable, "-c", "import sys; from peerwork.cli import main; sys.exit(main())",
            "import", "assignments", str(csv_path), "--org", slug, "--quiet"]
    with tempfile.NamedTemporaryFile("r") as rss:
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-I", "-S", "-c", _LAUNCHER, rss.name, *argv], env=bench_env(),
                              capture_output=True, text=True, timeout=1800, check=False)
        seconds = time.perf_counter() - started
        peak_kib = int(rss.read() or 0)
    if done.returncode not in (0, 1):
        raise RuntimeError(f"the import failed ({done.returncode}):\n{done.stderr[-4000:]}")
    match = _SUMMARY.search(done.stdout)
    if match is None:
        raise RuntimeError(f"no summary in the import's output:\n{done.stdout}\n{done.stderr[-2000:]}")
    created, updated, unchanged, people, teams = map(int, match.groups())
    problems = done.stderr.strip().splitlines()
    return {"seconds": seconds, "created": created, "updated": updated, "unchanged": unchanged,
            "people_created": people, "teams_created": teams, "errors": len(problems),
            "first_errors": problems[:5], "exit": done.returncode, "peak_mib": peak_kib / 1024}


# --- the driver ---------------------------------------------------------------------------


async def _sql(url: str, sql: str, *args: object) -> list:
    import asyncpg

    connection = await asyncpg.connect(url)
    try:
        return await connection.fetch(sql, *args)
    finally:
        await connection.close()


async def new_organisation(slug: str) -> str:
    from peerwork.workforce import organisations

    org = await organisations.create_organisation(slug, f"Bench {slug}")
    return str(org.id)


async def empty_organisation(url: str, organisation_id: str) -> None:
    for table in ("assignment", "person", "team"):
        await _sql(url, f"DELETE FROM {table} WHERE organisation = $1::uuid", organisation_id)


async def count_rows(url: str, organisation_id: str) -> tuple[int, ...]:
    counts = []
    for table in ("assignment", "person", "team"):
        rows = await _sql(url, f"SELECT count(*) AS n FROM {table} WHERE organisation = $1::uuid", organisation_id)
        counts.append(rows[0]["n"])
    return tuple(counts)


def spread(values: list[float]) -> str:
    return f"median {statistics.median(values):.2f} s, range {min(values):.2f}-{max(values):.2f} s"


async def main() -> Result:
    result = Result("import_csv")
    with tempfile.TemporaryDirectory(prefix="peerwork-bench-") as tmp:
        csv_path = Path(tmp) / "assignments.csv"
        started = time.perf_counter()
        expected = make_csv(csv_path)
        print(f"import_csv: {expected['rows']:,} rows, {expected['people']:,} people, {expected['teams']} teams, "
              f"{csv_path.stat().st_size / 2**20:.1f} MiB (made in {time.perf_counter() - started:.1f} s); "
              f"{ROUNDS} rounds", flush=True)
        async with fresh_database("import") as url:
            from peerwork.core.db import current_engine

            await current_engine().run_ddl(FLOOR_DDL)
            floor_org = await new_organisation("bench-floor")
            team_ids = {}
            for name in TEAMS:
                rows = await _sql(url, "INSERT INTO team (id, organisation, name, created_at) "
                                  "VALUES (gen_random_uuid(), $1::uuid, $2, now()) RETURNING id", floor_org, name)
                team_ids[name] = str(rows[0]["id"])
            people_path, assignments_path = stored_rows(csv_path, floor_org, team_ids, Path(tmp))
            busy_before = others_busy()
            floors, bares, firsts, agains = [], [], [], []
            runs: list[tuple[dict, dict, tuple]] = []
            for round_number in range(ROUNDS):
                floors.append(await asyncio.to_thread(psql_floor, url, people_path, assignments_path, floor_org))
                bares.append(await bare_copy(url, csv_path, expected["rows"]))
                slug = f"bench-import-{round_number}"
                org = await new_organisation(slug)
                first = await asyncio.to_thread(run_command, csv_path, slug)
                again = await asyncio.to_thread(run_command, csv_path, slug)
                runs.append((first, again, await count_rows(url, org)))
                firsts.append(first["seconds"])
                agains.append(again["seconds"])
                print(f"  round {round_number + 1}: floor {floors[-1]:.2f} s, import {first['seconds']:.2f} s "
                      f"({first['peak_mib']:.0f} MiB), re-import {again['seconds']:.2f} s "
                      f"({again['peak_mib']:.0f} MiB)", flush=True)
                await empty_organisation(url, org)
            floors.append(await asyncio.to_thread(psql_floor, url, people_path, assignments_path, floor_org))
            big = None
            if BIG_ROWS:
                big_path = Path(tmp) / "big.csv"
                make_csv(big_path, BIG_ROWS, BIG_ROWS * 3 // 5)
                org = await new_organisation("bench-import-big")
                big = await asyncio.to_thread(run_command, big_path, "bench-import-big")
                await empty_organisation(url, org)
            busy = busy_note("import_csv", busy_before, others_busy())
    floor = statistics.median(floors)
    first, again, stored = runs[-1]
    print("  floor, psql -1 \\copy of the people and assignments into the real tables: " + spread(floors))
    print("  (for information) COPY of the file into a bare table: " + spread(bares))
    print(f"  import (whole command): {spread(firsts)}; re-import: {spread(agains)}")
    for name, run in (("first import ", first), ("second import", again)):
        print(f"  {name}: created {run['created']:,}, updated {run['updated']:,}, unchanged {run['unchanged']:,}, "
              f"people created {run['people_created']:,}, teams created {run['teams_created']}, "
              f"errors {run['errors']}; peak RSS {run['peak_mib']:.0f} MiB")
    print(f"  stored: {stored[0]:,} assignments, {stored[1]:,} people, {stored[2]} teams")
    if big:
        print(f"  {BIG_ROWS:,} rows: import {big['seconds']:.1f} s, peak RSS {big['peak_mib']:.0f} MiB, "
              f"created {big['created']:,}, errors {big['errors']}")

    correct = all(
        f["errors"] == 0 and f["created"] == expected["rows"] and f["people_created"] == expected["people"]
        and f["teams_created"] == expected["teams"] and s == (expected["rows"], expected["people"], expected["teams"])
        for f, _, s in runs
    )
    if not correct:
        print(f"  WRONG: expected {expected}; first errors: {first['first_errors']}")
    idempotent = all(a["created"] == 0 and a["updated"] == 0 and a["errors"] == 0 for _, a, _ in runs)
    ratio = statistics.median(firsts) / floor
    ratio_again = statistics.median(agains) / floor
    print(f"  ratio import/floor {ratio:.2f} (target <= {TARGET:g}); re-import/floor {ratio_again:.2f} "
          f"(target <= {TARGET_AGAIN:g})")
    if busy:
        print(f"  WARNING {busy}")
        result.notes.append(busy)
    peak = max(first["peak_mib"], again["peak_mib"])
    result.rows += [
        Row(f"import_csv {ROWS // 1000}k rows (whole CLI)", f"{statistics.median(firsts):.2f} s",
            f"{floor:.2f} s psql COPY, same tables", f"{ratio:.2f}x", f"<= {TARGET:g}x", correct and ratio <= TARGET),
        Row("import_csv re-import (same file)", f"{statistics.median(agains):.2f} s",
            f"{floor:.2f} s psql COPY, same tables", f"{ratio_again:.2f}x", f"<= {TARGET_AGAIN:g}x, 0 written",
            idempotent and ratio_again <= TARGET_AGAIN),
        Row(f"import_csv peak RSS {ROWS // 1000}k" + (f" / {BIG_ROWS // 1000}k" if big else ""),
            f"{peak:.0f} MiB" + (f" / {big['peak_mib']:.0f} MiB" if big else ""), "-", "-", "flat in rows",
            None if not big else big["peak_mib"] <= 1.5 * peak),
    ]
    result.notes.append(
        f"import_csv: floor = psql -1 \\copy of the same people and assignments into the real tables "
        f"({spread(floors)}); bare-table COPY {spread(bares)}; import {spread(firsts)}; re-import {spread(agains)}"
    )
    return result


if __name__ == "__main__":
    asyncio.run(main()).emit()

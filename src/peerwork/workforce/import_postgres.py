"""The assignments import on PostgreSQL: stream, stage, compare and apply in one transaction.

Rows are checked in Python a chunk at a time (the same rules as everywhere: csv_rows, rules)
and COPYed into a temporary table, so memory stays flat in the length of the file. What needs
the whole file (an assignment number on several lines, a number that belongs to someone else,
what is new, changed or unchanged) is then worked out by a few set-based statements, and the
writes are INSERT ... SELECT and UPDATE ... FROM: close to COPY into the same tables.
"""

from __future__ import annotations

import hashlib
import io
from datetime import datetime
from typing import Any, BinaryIO
from uuid import UUID

from peerwork.core import audit
from peerwork.core.access import Principal
from peerwork.core.db import current_engine, transaction
from peerwork.core.time import now
from peerwork.workforce.csv_rows import (
    ImportReport,
    RowProblem,
    RowProblemError,
    check_rows,
    disagreement,
    count_data_lines,
    file_lines,
    problem_order,
    repeated_problems,
)

CHUNK_ROWS = 5000  # rows checked and COPYed at a time: memory is about this many rows

STAGED = (
    "line", "assignment_number", "employee_number", "position_title", "lived_experience_role", "afc_band",
    "team", "start_date", "end_date", "leaving_reason", "fte", "line_manager_assignment_number",
    "ethnicity", "disability",
)
_STAGING_DDL = """
CREATE TEMP TABLE import_rows (
    line integer NOT NULL, assignment_number text NOT NULL, employee_number text NOT NULL,
    position_title text NOT NULL, lived_experience_role boolean NOT NULL, afc_band text, team text,
    start_date date NOT NULL, end_date date, leaving_reason text, fte numeric, line_manager_assignment_number text,
    ethnicity text, disability text
) ON COMMIT DROP"""

# The row's values against the stored assignment's: any difference makes it an update.
_CHANGED = """(
    a.position_title IS DISTINCT FROM s.position_title
    OR a.lived_experience_role IS DISTINCT FROM s.lived_experience_role
    OR a.afc_band IS DISTINCT FROM s.afc_band
    OR a.team IS DISTINCT FROM t.id
    OR a.start_date IS DISTINCT FROM s.start_date
    OR a.end_date IS DISTINCT FROM s.end_date
    OR a.leaving_reason IS DISTINCT FROM s.leaving_reason
    OR a.fte IS DISTINCT FROM s.fte
    OR a.line_manager_assignment_number IS DISTINCT FROM s.line_manager_assignment_number
)"""
_MATCHED = """import_rows s
    LEFT JOIN assignment a ON a.organisation = $1 AND a.assignment_number = s.assignment_number
    LEFT JOIN team t ON t.organisation = $1 AND t.name = s.team"""


class _Rollback(Exception):
    """Leave the transaction without writing (a dry run, or all-or-nothing with bad rows)."""


def _lines(data: bytes | str | BinaryIO, digest: Any) -> tuple[Any, int]:
    """The file's lines (streamed) and the progress bar's total."""
    if isinstance(data, str):
        digest.update(data.encode())
        total = max(sum(1 for line in data.splitlines() if line.strip()) - 1, 1)
        return io.StringIO(data, newline=""), total
    source = io.BytesIO(data) if isinstance(data, bytes) else data
    start = source.tell()
    total = count_data_lines(source)
    source.seek(start)
    return file_lines(source, digest), total


async def import_streamed(
    organisation_id: UUID,
    data: bytes | str | BinaryIO,
    *,
    actor: Principal | None,
    dry_run: bool,
    all_or_nothing: bool,
    progress: Any,
) -> Any:

    report = ImportReport(dry_run=dry_run)
    try:
        async with transaction():
            connection = current_engine().current_transaction.get().connection
            if not dry_run:
                # Imports for one organisation take turns, so two never plan against the same state.
                await connection.execute("SELECT pg_advisory_xact_lock(hashtext($1))", f"import:{organisation_id}")
            # Right after a bulk load the planner's statistics say the organisation's tables are
            # near empty, and a nested loop over 100,000 rows then takes minutes: hash joins
            # are right for every statement here, whatever the statistics say.
            await connection.execute("SET LOCAL enable_nestloop = off")
            await connection.execute("SET LOCAL work_mem = '64MB'")  # hash 100,000s of rows in memory
            digest = hashlib.sha256()
            lines, total = _lines(data, digest)
            # An import inside a longer transaction (the demo loads two organisations in one)
            # finds the last one's staging table still there: ON COMMIT DROP has not fired yet.
            await connection.execute("DROP TABLE IF EXISTS pg_temp.import_rows")
            await connection.execute(_STAGING_DDL)
            equality = await _stage(connection, lines, total, report, progress)
            await _check_whole_file(connection, organisation_id, report, equality)
            if dry_run or (all_or_nothing and report.errors):
                raise _Rollback
            written_at = now()
            if progress:
                progress("write", 0, report.created + report.updated)
            await _write(connection, organisation_id, written_at, report)
            if progress:
                progress("write", report.created + report.updated, report.created + report.updated)
            await audit.record(
                actor, "import", "assignment", organisation_id=organisation_id, file_sha256=digest.hexdigest(),
                created=report.created, updated=report.updated, unchanged=report.unchanged,
                rejected=len(report.errors),
            )
    except _Rollback:
        return report
    except RowProblemError as exc:  # not UTF-8: the whole file is refused, nothing is kept
        return ImportReport(dry_run=dry_run, errors=[exc.problem])
    report.applied = True
    return report


async def _stage(connection: Any, lines: Any, total: int, report: Any, progress: Any) -> bool:
    """Check every row, a chunk at a time; COPY the good ones into the staging table. True when
    the file has the ethnicity and disability columns."""
    chunk: list[tuple] = []
    equality = False
    for checked in check_rows(lines):
        report.errors.extend(checked.problems)
        if not checked.is_data:
            continue
        report.rows += 1
        row = checked.row
        if row is not None:
            chunk.append((
                row.line, row.assignment_number, row.employee_number, row.position_title,
                row.lived_experience_role, row.afc_band, row.team, row.start_date, row.end_date,
                row.leaving_reason, row.fte, row.line_manager_assignment_number, row.ethnicity, row.disability,
            ))
            equality = equality or row.ethnicity is not None
            if len(chunk) >= CHUNK_ROWS:
                await connection.copy_records_to_table("import_rows", records=chunk, columns=STAGED)
                chunk.clear()
        if progress:  # every data row counts, good or bad
            progress("check", report.rows, total)
    if chunk:
        await connection.copy_records_to_table("import_rows", records=chunk, columns=STAGED)
    return equality


async def _check_whole_file(connection: Any, organisation_id: UUID, report: Any, equality: bool = False) -> None:
    """What needs every row at once; the rows found bad leave the staging table. Fills the
    report's counts from what remains. The checks come in the order csv_rows and the SQLite
    import make them (repeated numbers, then a person's disagreeing equality values, then
    numbers that belong to someone else), so both imports reject the same lines."""
    repeated = await connection.fetch(
        "SELECT assignment_number, array_agg(line ORDER BY line) AS lines FROM import_rows "
        "GROUP BY assignment_number HAVING count(*) > 1"
    )
    for record in repeated:
        report.errors.extend(repeated_problems(record["assignment_number"], record["lines"]))
    if repeated:
        await connection.execute("DELETE FROM import_rows WHERE assignment_number = ANY($1::text[])",
                                 [r["assignment_number"] for r in repeated])
    if equality:
        disagreeing = await connection.fetch(_DISAGREEING)
        for record in disagreeing:
            report.errors.extend(disagreement(record["line"], column, record["first_line"])
                                 for column in ("ethnicity", "disability") if record[column])
        if disagreeing:
            await connection.execute("DELETE FROM import_rows WHERE line = ANY($1::int[])",
                                     [r["line"] for r in disagreeing])
    taken = await connection.fetch(
        """SELECT s.line, s.assignment_number, s.employee_number, p.employee_number AS owner
        FROM import_rows s
        JOIN assignment a ON a.organisation = $1 AND a.assignment_number = s.assignment_number
        LEFT JOIN person p ON p.id = a.person AND p.organisation = $1
        WHERE p.employee_number IS DISTINCT FROM s.employee_number
          AND s.assignment_number <> ALL($2::text[])""",
        organisation_id, [r["assignment_number"] for r in repeated],
    )
    for record in taken:
        owner = record["owner"] or "another person"
        report.errors.append(RowProblem(
            record["line"], "person_id",
            f"assignment {record['assignment_number']!r} belongs to employee {owner!r}, "
            f"not {record['employee_number']!r}",
        ))
    if taken:
        await connection.execute("DELETE FROM import_rows WHERE line = ANY($1::int[])", [r["line"] for r in taken])
    report.errors.sort(key=problem_order)
    counts = await connection.fetchrow(
        f"""SELECT count(*) AS valid,
            count(*) FILTER (WHERE a.id IS NULL) AS created,
            count(*) FILTER (WHERE a.id IS NOT NULL AND {_CHANGED}) AS updated,
            count(DISTINCT s.team) FILTER (WHERE s.team IS NOT NULL AND t.id IS NULL) AS teams_created,
            count(DISTINCT s.employee_number) FILTER (WHERE a.id IS NULL AND NOT EXISTS (
                SELECT 1 FROM person p WHERE p.organisation = $1 AND p.employee_number = s.employee_number
            )) AS people_created
        FROM {_MATCHED}""",
        organisation_id,
    )
    report.valid_rows, report.created, report.updated = counts["valid"], counts["created"], counts["updated"]
    report.unchanged = counts["valid"] - counts["created"] - counts["updated"]
    report.teams_created, report.people_created = counts["teams_created"], counts["people_created"]
    if equality:
        report.people_updated = await connection.fetchval(f"SELECT count(*) FROM ({_EQUALITY_CHANGES}) c",
                                                          organisation_id)


# A row whose ethnicity or disability differs from its person's first line in the file.
_DISAGREEING = """SELECT s.line, f.line AS first_line,
        s.ethnicity IS DISTINCT FROM f.ethnicity AS ethnicity, s.disability IS DISTINCT FROM f.disability AS disability
    FROM import_rows s JOIN (SELECT DISTINCT ON (employee_number) employee_number, line, ethnicity, disability
                             FROM import_rows ORDER BY employee_number, line) f ON f.employee_number = s.employee_number
    WHERE s.ethnicity IS DISTINCT FROM f.ethnicity OR s.disability IS DISTINCT FROM f.disability"""
# Existing people whose stored equality values the file changes (its rows for one person agree).
_EQUALITY_CHANGES = """SELECT p.id, s.ethnicity, s.disability FROM person p
    JOIN (SELECT DISTINCT employee_number, ethnicity, disability FROM import_rows WHERE ethnicity IS NOT NULL) s
      ON p.organisation = $1 AND p.employee_number = s.employee_number
    WHERE p.ethnicity IS DISTINCT FROM s.ethnicity OR p.disability IS DISTINCT FROM s.disability"""
_EQUALITY_UPDATES = f"""UPDATE person p SET ethnicity = c.ethnicity, disability = c.disability, updated_at = $2
    FROM ({_EQUALITY_CHANGES}) c WHERE p.id = c.id"""

_NEW_TEAMS = """INSERT INTO team (id, organisation, name, created_at)
    SELECT gen_random_uuid(), $1, s.team, $2 FROM (SELECT DISTINCT team FROM import_rows) s
    WHERE s.team IS NOT NULL AND NOT EXISTS (SELECT 1 FROM team t WHERE t.organisation = $1 AND t.name = s.team)"""
# A row for an unknown employee is always a new assignment (a known number with another owner
# was refused), so these are exactly the people the new rows need.
_NEW_PEOPLE = """INSERT INTO person (id, organisation, employee_number, ethnicity, disability, created_at, updated_at)
    SELECT gen_random_uuid(), $1, s.employee_number, s.ethnicity, s.disability, $2, $2
    FROM (SELECT DISTINCT employee_number, ethnicity, disability FROM import_rows) s
    WHERE NOT EXISTS (SELECT 1 FROM person p WHERE p.organisation = $1 AND p.employee_number = s.employee_number)"""
_CHANGED_ASSIGNMENTS = f"""UPDATE assignment a SET position_title = s.position_title,
        lived_experience_role = s.lived_experience_role, afc_band = s.afc_band, team = t.id,
        start_date = s.start_date, end_date = s.end_date, leaving_reason = s.leaving_reason, fte = s.fte,
        line_manager_assignment_number = s.line_manager_assignment_number, updated_at = $2
    FROM import_rows s LEFT JOIN team t ON t.organisation = $1 AND t.name = s.team
    WHERE a.organisation = $1 AND a.assignment_number = s.assignment_number AND {_CHANGED}"""
_NEW_ASSIGNMENTS = """INSERT INTO assignment (id, organisation, person, assignment_number, position_title,
        lived_experience_role, afc_band, team, start_date, end_date, leaving_reason, fte,
        line_manager_assignment_number, updated_at)
    SELECT gen_random_uuid(), $1, p.id, s.assignment_number, s.position_title, s.lived_experience_role,
        s.afc_band, t.id, s.start_date, s.end_date, s.leaving_reason, s.fte, s.line_manager_assignment_number, $2
    FROM import_rows s
    JOIN person p ON p.organisation = $1 AND p.employee_number = s.employee_number
    LEFT JOIN team t ON t.organisation = $1 AND t.name = s.team
    WHERE NOT EXISTS (
        SELECT 1 FROM assignment a WHERE a.organisation = $1 AND a.assignment_number = s.assignment_number
    )"""


async def _write(connection: Any, organisation_id: UUID, now: datetime, report: Any) -> None:
    """Teams and people first (only those the written rows need), then the changed assignments,
    then the new ones. A statement with nothing to do is skipped: a re-import only reads."""
    for needed, statement in (
        (report.teams_created, _NEW_TEAMS), (report.people_updated, _EQUALITY_UPDATES),
        (report.people_created, _NEW_PEOPLE),
        (report.updated, _CHANGED_ASSIGNMENTS), (report.created, _NEW_ASSIGNMENTS),
    ):
        if needed:
            await connection.execute(statement, organisation_id, now)

"""Apply an assignments CSV to one organisation: idempotent, set-based, all-or-nothing on request.

On PostgreSQL the file is streamed: checked a chunk of rows at a time in Python (the rules in
csv_rows and rules) and COPYed into a temporary staging table, then compared with the
organisation's rows and applied with a few set-based statements, all in one transaction. Memory
stays flat however long the file is, and the cost is close to COPY into the same tables.
On SQLite the whole file is planned in Python against one read of the current rows, then
written in bulk in one transaction. Either way a failure part-way leaves nothing behind, and
re-importing the same file changes nothing.
"""

from __future__ import annotations

import gc
import hashlib
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, BinaryIO, Callable
from uuid import UUID

from peerwork.core.db import current_engine, insert_records, is_postgres, transaction
from peerwork.core import audit
from peerwork.core.access import Principal
from peerwork.workforce.csv_rows import AssignmentRow, ImportReport, RowProblem, parse_assignments
from peerwork.workforce.tables import Assignment, Team
from peerwork.core.tables import Person
from peerwork.core.time import now

Progress = Callable[[str, int, int], None]  # (phase, done, total)

# The columns an import compares and writes, in one order used everywhere below.
FIELDS = (
    "person", "position_title", "lived_experience_role", "afc_band", "team",
    "start_date", "end_date", "leaving_reason", "fte", "line_manager_assignment_number",
)


@dataclass
class _Plan:
    new_teams: dict[str, UUID] = field(default_factory=dict)
    new_people: dict[str, UUID] = field(default_factory=dict)
    inserts: list[tuple[Any, ...]] = field(default_factory=list)
    updates: list[tuple[Any, ...]] = field(default_factory=list)
    unchanged: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    # employee number -> (ethnicity, disability) for the people the file describes (new people
    # take theirs on creation), and the ids of existing people whose stored values differ.
    equality: dict[str, tuple[str, str]] = field(default_factory=dict)
    equality_updates: list[tuple[str, str, UUID]] = field(default_factory=list)


def _fte(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.0001"))


async def _current_state(organisation_id: UUID) -> tuple[dict, dict, dict, dict]:
    teams = {
        r["name"]: r["id"]
        for r in await Team.select(Team.name, Team.id).where(Team.organisation == organisation_id)
    }
    people, equality = {}, {}
    for r in await Person.select(Person.employee_number, Person.id, Person.ethnicity, Person.disability).where(
            Person.organisation == organisation_id):
        people[r["employee_number"]] = r["id"]
        equality[r["id"]] = (r["ethnicity"], r["disability"])
    assignments = {}
    for r in await Assignment.select(
        Assignment.assignment_number, Assignment.id, *(getattr(Assignment, f) for f in FIELDS)
    ).where(Assignment.organisation == organisation_id):
        r["fte"] = _fte(r["fte"])
        assignments[r.pop("assignment_number")] = (r.pop("id"), tuple(r[f] for f in FIELDS))
    return teams, people, assignments, equality


def plan_import(rows: list[AssignmentRow], teams: dict, people: dict, assignments: dict,
                equality: dict | None = None) -> _Plan:
    """Pure: decide, row by row, what the import would do to the current state (``equality``:
    each existing person's stored (ethnicity, disability))."""
    plan = _Plan()
    person_of_number = {number: values[0] for number, (_, values) in assignments.items()}
    employee_of_person = {pid: number for number, pid in people.items()}
    for row in rows:
        if row.team and row.team not in teams and row.team not in plan.new_teams:
            plan.new_teams[row.team] = uuid.uuid4()
        team_id = None if not row.team else teams.get(row.team) or plan.new_teams[row.team]
        person_id = people.get(row.employee_number) or plan.new_people.get(row.employee_number)
        existing = assignments.get(row.assignment_number)
        if existing and person_id != person_of_number[row.assignment_number]:
            owner = employee_of_person.get(person_of_number[row.assignment_number], "another person")
            plan.problems.append(RowProblem(
                row.line, "person_id",
                f"assignment {row.assignment_number!r} belongs to employee {owner!r}, not {row.employee_number!r}",
            ))
            continue
        if person_id is None:
            person_id = plan.new_people[row.employee_number] = uuid.uuid4()
        values = (
            person_id, row.position_title, row.lived_experience_role, row.afc_band, team_id,
            row.start_date, row.end_date, row.leaving_reason, row.fte, row.line_manager_assignment_number,
        )
        if row.ethnicity is not None:  # the file has the columns: its values stand for the person
            plan.equality[row.employee_number] = (row.ethnicity, row.disability)  # type: ignore[assignment]
        if existing is None:
            plan.inserts.append((uuid.uuid4(), row.assignment_number, *values))
        elif existing[1] != values:
            plan.updates.append((existing[0], *values))
        else:
            plan.unchanged += 1
    # Teams and people are only created for rows that will be written.
    written = [v[-len(FIELDS):] for v in plan.inserts + plan.updates]
    used_teams = {v[4] for v in written}
    used_people = {v[0] for v in written}
    plan.new_teams = {n: i for n, i in plan.new_teams.items() if i in used_teams}
    plan.new_people = {n: i for n, i in plan.new_people.items() if i in used_people}
    stored = equality or {}
    plan.equality_updates = [
        (*values, people[number]) for number, values in plan.equality.items()
        if number in people and stored.get(people[number]) != values
    ]
    return plan


async def import_assignments(
    organisation_id: UUID,
    data: bytes | str | BinaryIO,
    *,
    actor: Principal | None = None,
    dry_run: bool = False,
    all_or_nothing: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import an ESR-style CSV (its bytes or text, or a binary file open at its start, which
    PostgreSQL reads a chunk at a time). Guarantees: bad rows are reported with their line numbers and
    never written; with ``all_or_nothing`` any bad row means nothing is written; otherwise the
    good rows are written together or not at all; importing the same file twice changes nothing.
    """
    if actor is not None:
        actor.require("assignments:import")
    # The cyclic garbage collector keeps rescanning the large, acyclic heap an import builds;
    # pausing it makes planning about three times faster.
    collecting = gc.isenabled()
    gc.disable()
    try:
        if is_postgres(current_engine()):
            from peerwork.workforce.import_postgres import import_streamed

            return await import_streamed(organisation_id, data, actor=actor, dry_run=dry_run,
                                         all_or_nothing=all_or_nothing, progress=progress)
        if not isinstance(data, (bytes, str)):
            data = data.read()
        return await _import(organisation_id, data, actor=actor, dry_run=dry_run,
                             all_or_nothing=all_or_nothing, progress=progress)
    finally:
        if collecting:
            gc.enable()


async def _import(
    organisation_id: UUID,
    data: bytes | str,
    *,
    actor: Principal | None,
    dry_run: bool,
    all_or_nothing: bool,
    progress: Progress | None,
) -> ImportReport:
    from peerwork.workforce.csv_rows import RowProblemError, decode

    report = ImportReport(dry_run=dry_run)
    try:
        text = decode(data) if isinstance(data, bytes) else data
    except RowProblemError as exc:
        report.errors = [exc.problem]
        return report
    # The bar counts data rows: the header is not one, nor is a blank line.
    total = max(sum(1 for line in text.splitlines() if line.strip()) - 1, 1)
    parsed = parse_assignments(text, on_row=(lambda n: progress("check", n, total)) if progress else None)
    report.rows, report.valid_rows, report.errors = parsed.data_lines, len(parsed.rows), list(parsed.problems)

    async def plan_now() -> _Plan:
        plan = plan_import(parsed.rows, *await _current_state(organisation_id))
        report.errors = sorted(report.errors + plan.problems, key=lambda p: p.line)
        report.valid_rows = len(parsed.rows) - len(plan.problems)
        report.created, report.updated, report.unchanged = len(plan.inserts), len(plan.updates), plan.unchanged
        report.people_created, report.teams_created = len(plan.new_people), len(plan.new_teams)
        report.people_updated = len(plan.equality_updates)
        return plan

    if dry_run or (all_or_nothing and report.errors):
        await plan_now()
        return report

    async with transaction():
        if is_postgres(current_engine()):
            # Imports for one organisation take turns, so two never plan against the same state.
            await Assignment.raw("SELECT pg_advisory_xact_lock(hashtext({}))", f"import:{organisation_id}")
        plan = await plan_now()
        if all_or_nothing and report.errors:
            return report
        await _write(organisation_id, plan, progress)
        await audit.record(
            actor, "import", "assignment", organisation_id=organisation_id,
            file_sha256=hashlib.sha256(text.encode()).hexdigest(), created=report.created,
            updated=report.updated, unchanged=report.unchanged, rejected=len(report.errors),
        )
    report.applied = True
    return report


async def _write(organisation_id: UUID, plan: _Plan, progress: Progress | None) -> None:
    written_at = now()
    teams = [(i, organisation_id, name, written_at) for name, i in plan.new_teams.items()]
    people = [(i, organisation_id, number, *plan.equality.get(number, (None, None)), written_at, written_at)
              for number, i in plan.new_people.items()]
    inserts = [(row[0], organisation_id, *row[1:], written_at) for row in plan.inserts]
    updates = [(*row, written_at) for row in plan.updates]
    writer = _PostgresWriter() if is_postgres(current_engine()) else _SQLiteWriter()
    connection = current_engine().current_transaction.get().connection
    await writer.insert(connection, "team", ("id", "organisation", "name", "created_at"), teams)
    await writer.insert(
        connection, "person", ("id", "organisation", "employee_number", "ethnicity", "disability", "created_at",
                               "updated_at"), people
    )
    # Only the two equality columns change here; their values are never logged or audited.
    await writer.update(connection, "person", ("id", "ethnicity", "disability", "updated_at"),
                        [(person, ethnicity, disability, written_at) for ethnicity, disability, person in plan.equality_updates])
    if progress:
        progress("write", 0, len(inserts) + len(updates))
    await writer.insert(
        connection, "assignment", ("id", "organisation", "assignment_number", *FIELDS, "updated_at"), inserts
    )
    await writer.update(connection, "assignment", ("id", *FIELDS, "updated_at"), updates)
    if progress:
        progress("write", len(inserts) + len(updates), len(inserts) + len(updates))


class _PostgresWriter:
    """COPY for speed (core.db.insert_records): the path PostgreSQL's own bulk loads take."""

    async def insert(self, connection: Any, table: str, columns: tuple[str, ...], rows: list) -> None:
        await insert_records(table, columns, rows)

    async def update(self, connection: Any, table: str, columns: tuple[str, ...], rows: list) -> None:
        if not rows:
            return
        await connection.execute(
            f"CREATE TEMP TABLE import_changes ON COMMIT DROP AS SELECT {', '.join(columns)} FROM {table} LIMIT 0"
        )
        await connection.copy_records_to_table("import_changes", records=rows, columns=list(columns))
        assignments = ", ".join(f"{c} = c.{c}" for c in columns[1:])
        await connection.execute(f"UPDATE {table} t SET {assignments} FROM import_changes c WHERE t.id = c.id")
        await connection.execute("DROP TABLE import_changes")


class _SQLiteWriter:
    async def insert(self, connection: Any, table: str, columns: tuple[str, ...], rows: list) -> None:
        await insert_records(table, columns, rows)

    async def update(self, connection: Any, table: str, columns: tuple[str, ...], rows: list) -> None:
        if rows:
            assignments = ", ".join(f"{c} = ?" for c in columns[1:])
            await connection.executemany(
                f"UPDATE {table} SET {assignments} WHERE id = ?", [(*r[1:], r[0]) for r in rows]
            )

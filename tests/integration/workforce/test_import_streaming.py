"""The import read as a stream, a chunk of rows at a time (PostgreSQL stages them in the
database): chunk boundaries, later chunks' errors, and a re-import that writes nothing."""

import hashlib
import io

import pytest

from peerwork.core.db import current_engine, is_postgres
from peerwork.core.tables import AuditLog, Person
from peerwork.workforce import import_postgres
from peerwork.workforce.importer import import_assignments
from peerwork.workforce.tables import Assignment, Team
from tests.factories import csv_text, make_org

ROWS = [f"A{n},E{n % 3},Peer Support Worker,Y,4,Team {n % 2},2021-04-0{n},,,1" for n in range(1, 8)]


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch):
    """Two rows a chunk, so a seven-row file crosses four chunk boundaries."""
    monkeypatch.setattr(import_postgres, "CHUNK_ROWS", 2)


def as_file(text: str) -> io.BytesIO:
    return io.BytesIO(text.encode())


async def stored(org_id):
    return await Assignment.select(
        Assignment.assignment_number, Assignment.person.employee_number, Assignment.team.name,
        Assignment.start_date, Assignment.updated_at,
    ).where(Assignment.organisation == org_id).order_by(Assignment.assignment_number)


async def test_rows_across_chunk_boundaries_are_all_stored_once():
    org = await make_org()
    seen: list[tuple[str, int, int]] = []
    report = await import_assignments(org.id, as_file(csv_text(*ROWS)), progress=lambda *a: seen.append(a))
    assert (report.rows, report.valid_rows, report.created, report.people_created, report.teams_created) == (
        7, 7, 7, 3, 2)
    rows = await stored(org.id)
    assert [(r["assignment_number"], r["person.employee_number"], r["team.name"]) for r in rows] == [
        (f"A{n}", f"E{n % 3}", f"Team {n % 2}") for n in range(1, 8)
    ]
    # The bar counts every data row, then the rows written.
    assert [s for s in seen if s[0] == "check"] == [("check", n, 7) for n in range(1, 8)]
    assert [s for s in seen if s[0] == "write"][-1] == ("write", 7, 7)


async def test_a_number_repeated_in_two_chunks_is_bad_on_both_lines():
    org = await make_org()
    repeated = ROWS[0].replace("Peer Support Worker", "Peer Lead")  # A1 again, on line 9
    report = await import_assignments(org.id, as_file(csv_text(*ROWS, repeated)))
    assert [str(e) for e in report.errors] == [
        "line 2: assignment_number: 'A1' also appears on line 9",
        "line 9: assignment_number: 'A1' also appears on line 2",
    ]
    assert report.applied and (report.valid_rows, report.created) == (6, 6)
    assert "A1" not in [r["assignment_number"] for r in await stored(org.id)]


async def test_an_error_in_a_later_chunk_leaves_nothing_applied_with_all_or_nothing():
    org = await make_org()
    bad = "A9,E9,Peer Support Worker,Y,4,Team 9,2021-02-01,2020-01-01,,"
    report = await import_assignments(org.id, as_file(csv_text(*ROWS, bad)), all_or_nothing=True)
    assert [str(e) for e in report.errors] == ["line 9: end_date: 2020-01-01 is before start_date 2021-02-01"]
    assert not report.applied and (report.created, report.people_created, report.teams_created) == (7, 3, 2)
    assert await Assignment.count() == 0 and await Person.count() == 0 and await Team.count() == 0
    assert not await AuditLog.exists().where(AuditLog.action == "import")


async def test_bytes_that_are_not_utf8_in_a_later_chunk_refuse_the_whole_file():
    org = await make_org()
    data = csv_text(*ROWS).encode() + b"A9,E9,Caf\xe9 Worker,Y,4,,2021-02-01,,,\n"
    report = await import_assignments(org.id, io.BytesIO(data))
    assert [str(e) for e in report.errors] == ["line 9: file: is not UTF-8 text (save the file as CSV UTF-8)"]
    assert not report.applied and report.created == 0
    assert await Assignment.count() == 0 and await Person.count() == 0 and await Team.count() == 0


async def test_a_number_held_by_another_employee_in_a_later_chunk_is_refused_alone():
    org = await make_org()
    await import_assignments(org.id, as_file(csv_text(*ROWS)))
    moved = ROWS[5].replace("A6,E0", "A6,E7")  # line 7: A6 belongs to E0
    changed = ROWS[6].replace("Team 1", "Team 3")  # line 8: a real change
    report = await import_assignments(org.id, as_file(csv_text(*ROWS[:5], moved, changed)))
    assert [str(e) for e in report.errors] == ["line 7: person_id: assignment 'A6' belongs to employee 'E0', not 'E7'"]
    assert (report.valid_rows, report.created, report.updated, report.unchanged) == (6, 0, 1, 5)
    assert (report.people_created, report.teams_created) == (0, 1)
    assert not await Person.exists().where(Person.employee_number == "E7")
    rows = {r["assignment_number"]: r for r in await stored(org.id)}
    assert rows["A6"]["person.employee_number"] == "E0" and rows["A7"]["team.name"] == "Team 3"


async def test_a_reimport_that_changes_nothing_writes_nothing():
    org = await make_org()
    await import_assignments(org.id, as_file(csv_text(*ROWS)))
    before = await stored(org.id)
    versions = await _row_versions()
    report = await import_assignments(org.id, as_file(csv_text(*ROWS)))
    assert (report.created, report.updated, report.unchanged, report.people_created, report.teams_created) == (
        0, 0, 7, 0, 0)
    assert await stored(org.id) == before
    assert await _row_versions() == versions  # not one row rewritten, even with equal values


async def _row_versions():
    """Each stored row's version on PostgreSQL (xmin moves with any write to the row); on SQLite
    the rows themselves."""
    if not is_postgres(current_engine()):
        return [await t.select().order_by(t.id) for t in (Assignment, Person, Team)]
    return [await t.raw(f"SELECT id, xmin::text AS version FROM {t._meta.tablename} ORDER BY id")
            for t in (Assignment, Person, Team)]


async def test_a_dry_run_from_a_file_writes_nothing_and_counts_as_the_import_would():
    org = await make_org()
    report = await import_assignments(org.id, as_file(csv_text(*ROWS)), dry_run=True)
    assert (report.created, report.people_created, report.teams_created, report.applied) == (7, 3, 2, False)
    assert await Assignment.count() == 0 and await Person.count() == 0 and await Team.count() == 0


async def test_a_spreadsheet_file_with_a_bom_and_old_mac_line_ends_reads_as_any_other():
    org = await make_org()
    data = b"\xef\xbb\xbf" + csv_text(*ROWS[:3], "", ROWS[3]).replace("\n", "\r").encode()
    report = await import_assignments(org.id, io.BytesIO(data))
    assert (report.rows, report.created, report.errors) == (4, 4, [])
    bad = b"\xef\xbb\xbf" + csv_text(ROWS[0], "A2,E2,,Y,4,,2021-04-02,,,").replace("\n", "\r").encode()
    report = await import_assignments(org.id, io.BytesIO(bad), dry_run=True)
    assert [str(e) for e in report.errors] == ["line 3: position_title: is required"]


async def test_the_fingerprint_is_the_files_whatever_way_it_is_read():
    data = csv_text(*ROWS).encode()
    north, south = await make_org("north"), await make_org("south")
    await import_assignments(north.id, data)
    await import_assignments(south.id, as_file(csv_text(*ROWS)))
    prints = await AuditLog.select(AuditLog.detail).where(AuditLog.action == "import").output(load_json=True)
    assert [p["detail"]["file_sha256"] for p in prints] == [hashlib.sha256(data).hexdigest()] * 2

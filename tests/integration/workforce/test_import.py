"""The assignments import against a real database: idempotent, transactional, line-numbered."""

from datetime import date
from decimal import Decimal

from peerwork.workforce.importer import import_assignments
from peerwork.workforce.tables import Assignment, Team
from peerwork.core.tables import AuditLog, Person
from tests.factories import csv_text, make_org

ROWS = [
    "A1,E1,Peer Support Worker,Y,4,Willow Ward,2021-04-01,,,1",
    "A2,E1,Senior Peer Support Worker,Y,5,Willow Ward,02/04/2023,,,0.8",
    "A3,E2,Mental Health Nurse,N,5,Oak Ward,2020-01-06,31/03/2024,Voluntary Resignation - Relocation,",
]


async def snapshot(org_id):
    rows = await Assignment.select(
        Assignment.assignment_number, Assignment.person.employee_number, Assignment.position_title,
        Assignment.lived_experience_role, Assignment.afc_band, Assignment.team.name, Assignment.start_date,
        Assignment.end_date, Assignment.leaving_reason, Assignment.fte, Assignment.updated_at,
    ).where(Assignment.organisation == org_id).order_by(Assignment.assignment_number)
    return rows


async def test_import_creates_people_teams_and_assignments():
    org = await make_org()
    report = await import_assignments(org.id, csv_text(*ROWS).encode())
    assert (report.rows, report.created, report.updated, report.unchanged) == (3, 3, 0, 0)
    assert (report.people_created, report.teams_created, report.applied, report.errors) == (2, 2, True, [])
    rows = await snapshot(org.id)
    assert [r["assignment_number"] for r in rows] == ["A1", "A2", "A3"]
    a2, a3 = rows[1], rows[2]
    assert a2["person.employee_number"] == "E1" and a2["start_date"] == date(2023, 4, 2)
    assert Decimal(str(a2["fte"])) == Decimal("0.8") and a2["team.name"] == "Willow Ward"
    assert a3["lived_experience_role"] is False and a3["end_date"] == date(2024, 3, 31)
    assert a3["leaving_reason"] == "Voluntary Resignation - Relocation" and a3["fte"] is None
    assert await Person.count().where(Person.organisation == org.id) == 2
    assert await Team.count().where(Team.organisation == org.id) == 2


async def test_reimporting_the_same_file_changes_nothing():
    org = await make_org()
    data = csv_text(*ROWS).encode()
    await import_assignments(org.id, data)
    before = await snapshot(org.id)
    again = await import_assignments(org.id, data)
    assert (again.created, again.updated, again.unchanged, again.people_created, again.teams_created) == (0, 0, 3, 0, 0)
    assert await snapshot(org.id) == before  # not even updated_at moves


async def test_changed_rows_are_updated_in_place():
    org = await make_org()
    await import_assignments(org.id, csv_text(*ROWS).encode())
    changed = [ROWS[0].replace(",,,1", ",2024-06-30,Voluntary Resignation - Health,1"), ROWS[1], ROWS[2]]
    report = await import_assignments(org.id, csv_text(*changed).encode())
    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    a1 = (await snapshot(org.id))[0]
    assert a1["end_date"] == date(2024, 6, 30) and a1["leaving_reason"] == "Voluntary Resignation - Health"
    assert await Assignment.count().where(Assignment.organisation == org.id) == 3


async def test_dry_run_reports_the_plan_and_writes_nothing():
    org = await make_org()
    report = await import_assignments(org.id, csv_text(*ROWS).encode(), dry_run=True)
    assert (report.created, report.people_created, report.teams_created, report.applied) == (3, 2, 2, False)
    assert await Assignment.count() == 0 and await Person.count() == 0 and await Team.count() == 0


async def test_bad_rows_are_skipped_and_reported_good_rows_are_applied():
    org = await make_org()
    bad = "A4,E3,Peer Support Worker,Y,4,New Team,2021-02-30,,,"
    report = await import_assignments(org.id, csv_text(ROWS[0], bad, ROWS[2]).encode())
    assert [str(e) for e in report.errors] == [
        "line 3: start_date: '2021-02-30' is not a date (use YYYY-MM-DD or DD/MM/YYYY)"
    ]
    assert report.applied and report.created == 2
    assert sorted(await Assignment.select(Assignment.assignment_number).output(as_list=True)) == ["A1", "A3"]
    # Nothing from the bad row leaks in: neither its person nor its new team.
    assert not await Person.exists().where(Person.employee_number == "E3")
    assert not await Team.exists().where(Team.name == "New Team")


async def test_all_or_nothing_applies_nothing_when_any_row_is_bad():
    org = await make_org()
    bad = "A4,E3,Peer Support Worker,Y,4,,2021-02-01,2020-01-01,,"
    report = await import_assignments(org.id, csv_text(*ROWS, bad).encode(), all_or_nothing=True)
    assert not report.applied
    assert [str(e) for e in report.errors] == ["line 5: end_date: 2020-01-01 is before start_date 2021-02-01"]
    assert await Assignment.count() == 0 and await Person.count() == 0 and await Team.count() == 0


async def test_an_assignment_number_cannot_move_to_another_person():
    org = await make_org()
    await import_assignments(org.id, csv_text(*ROWS).encode())
    moved = ROWS[0].replace("A1,E1", "A1,E9")
    report = await import_assignments(org.id, csv_text(moved).encode(), all_or_nothing=True)
    assert [str(e) for e in report.errors] == ["line 2: person_id: assignment 'A1' belongs to employee 'E1', not 'E9'"]
    assert not report.applied and not await Person.exists().where(Person.employee_number == "E9")


async def test_the_same_numbers_in_two_organisations_are_separate_records():
    north, south = await make_org("north"), await make_org("south")
    await import_assignments(north.id, csv_text(*ROWS).encode())
    report = await import_assignments(south.id, csv_text(*ROWS).encode())
    assert report.created == 3 and report.people_created == 2
    assert await Assignment.count() == 6


async def test_an_applied_import_is_audited_without_personal_data():
    org = await make_org()
    await import_assignments(org.id, csv_text(*ROWS).encode())
    entry = await AuditLog.select().where(AuditLog.action == "import").output(load_json=True).first()
    assert entry["organisation"] == org.id and entry["table_name"] == "assignment"
    assert entry["detail"]["created"] == 3 and len(entry["detail"]["file_sha256"]) == 64
    assert "E1" not in str(entry) and "Relocation" not in str(entry)


async def test_undecodable_file_is_reported_not_raised():
    org = await make_org()
    report = await import_assignments(org.id, b"assignment_number\n\xff\n")
    assert [str(e) for e in report.errors] == ["line 2: file: is not UTF-8 text (save the file as CSV UTF-8)"]
    assert not report.applied


MANAGED = "assignment_number,person_id,position_title,lived_experience_role,start_date,line_manager_assignment_number"


async def test_the_line_managers_assignment_number_is_stored_even_before_it_names_anyone():
    org = await make_org()
    data = csv_text("M1,E9,Team Manager,N,2019-01-01,",
                    "A1,E1,Peer Support Worker,Y,2021-04-01,M1",
                    "A2,E2,Peer Support Worker,Y,2022-04-01,NOT-YET-IMPORTED",  # allowed: may come later
                    "A3,E3,Peer Support Worker,Y,2022-04-01," + "9" * 65, header=MANAGED)
    report = await import_assignments(org.id, data.encode())
    assert [str(e) for e in report.errors] == ["line 5: line_manager_assignment_number: is longer than 64 characters"]
    assert (report.created, report.applied) == (3, True)
    stored = {r["assignment_number"]: r["line_manager_assignment_number"] for r in await Assignment.select(
        Assignment.assignment_number, Assignment.line_manager_assignment_number).where(Assignment.organisation == org.id)}
    assert stored == {"M1": None, "A1": "M1", "A2": "NOT-YET-IMPORTED"}
    # The same file again changes nothing; a file without the column clears the number, like
    # every other optional column.
    again = await import_assignments(org.id, data.encode())
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    cleared = await import_assignments(org.id, csv_text(
        "A1,E1,Peer Support Worker,Y,4,,2021-04-01,,,").encode())
    assert cleared.updated == 1
    assert await Assignment.select(Assignment.line_manager_assignment_number).where(
        Assignment.assignment_number == "A1").first() == {"line_manager_assignment_number": None}

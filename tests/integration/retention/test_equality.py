"""Equality in retention: the optional ethnicity and disability columns through both import
paths (same results), kept from everyone but admin and HR, read with an audit row, and
reported in aggregate with small numbers suppressed."""

from __future__ import annotations

import json

import pytest

from peerwork.core.errors import PermissionDenied
from peerwork.core.tables import AuditLog, Person
from peerwork.retention.equality import retention_by_equality
from peerwork.workforce import importer
from tests.conftest import IS_POSTGRES
from tests.factories import make_all_roles_user, make_org, make_user
from tests.integration.web.test_forms import signed_in

HEADER = "assignment_number,person_id,position_title,lived_experience_role,start_date,end_date"


async def _plan_path(org_id, data, all_or_nothing=False):
    return await importer._import(org_id, data, actor=None, dry_run=False, progress=None,
                                  all_or_nothing=all_or_nothing)


async def _streamed_path(org_id, data, all_or_nothing=False):
    from peerwork.workforce.import_postgres import import_streamed

    return await import_streamed(org_id, data, actor=None, dry_run=False, progress=None,
                                 all_or_nothing=all_or_nothing)


# The import takes the plan path on SQLite and streams on PostgreSQL; on PostgreSQL both run,
# so the test holds the two to the same results.
PATHS = [_plan_path, _streamed_path] if IS_POSTGRES else [_plan_path]


def _file(rows: list[str], equality: bool = True) -> bytes:
    header = HEADER + (",ethnicity,disability" if equality else "")
    return ("\n".join([header, *rows]) + "\n").encode()


STAFF = [
    "A1,E1,PSW,Y,2020-01-06,2021-03-31,C3 White - Any other White background,N",
    "A2,E1,Senior PSW,Y,2021-04-01,,C3 White - Any other White background,N",
    "A3,E2,PSW,Y,2020-02-03,,H Asian or Asian British - Indian,Y",
    "A4,E3,PSW,Y,2021-03-01,,,",
    "A5,E4,PSW,Y,2021-03-01,,99 Not Known,Not Declared",
]


def _without(rows: list[str]) -> list[str]:
    return [",".join(r.split(",")[:6]) for r in rows]


async def _stored(org_id) -> list[tuple]:
    rows = await Person.select(Person.employee_number, Person.ethnicity, Person.disability).where(
        Person.organisation == org_id).order_by(Person.employee_number)
    return [tuple(r.values()) for r in rows]


def _counts(report) -> tuple:
    return (report.rows, report.valid_rows, report.created, report.updated, report.unchanged, report.people_created,
            report.people_updated, report.applied, [str(e) for e in report.errors])


async def test_with_and_without_the_columns_both_paths_agree():
    outcomes = []
    for n, path in enumerate(PATHS):
        org = await make_org(f"org{n}")
        steps = []
        report = await path(org.id, _file(_without(STAFF), equality=False))  # an older file: no columns
        steps.append((_counts(report), await _stored(org.id)))
        report = await path(org.id, _file(STAFF))  # the same staff, now with the columns
        steps.append((_counts(report), await _stored(org.id)))
        report = await path(org.id, _file(STAFF))  # again: nothing changes
        steps.append((_counts(report), await _stored(org.id)))
        report = await path(org.id, _file(_without(STAFF), equality=False))  # without: what is stored stays
        steps.append((_counts(report), await _stored(org.id)))
        outcomes.append(steps)
    steps = outcomes[0]
    assert steps[0][1] == [("E1", None, None), ("E2", None, None), ("E3", None, None), ("E4", None, None)]
    assert steps[0][0][5] == 4
    described = [("E1", "white", "not_disabled"), ("E2", "bme", "disabled"), ("E3", "not_stated", "not_stated"),
                 ("E4", "not_stated", "not_stated")]
    assert steps[1][1] == described and steps[1][0][4:7] == (5, 0, 4)  # 5 unchanged rows, 4 people updated
    assert steps[2][1] == described and steps[2][0][6] == 0
    assert steps[3][1] == described and steps[3][0][6] == 0
    assert all(o == outcomes[0] for o in outcomes)


async def test_new_people_take_their_values_and_disagreeing_rows_are_refused_on_both_paths():
    rows = [*STAFF, "A6,E5,PSW,Y,2022-01-01,,M,Y", "A7,E5,PSW,Y,2023-01-01,,A,Y"]
    results = []
    for n, path in enumerate(PATHS):
        org = await make_org(f"new{n}")
        report = await path(org.id, _file(rows))
        results.append((_counts(report), await _stored(org.id)))
    counts, stored = results[0]
    assert counts[-1] == ["line 8: ethnicity: differs from line 7 for the same person_id (one person, one value)"]
    assert ("E5", "bme", "disabled") in stored and len(stored) == 5
    assert all(r == results[0] for r in results)


async def test_an_unknown_value_is_refused_with_its_line_and_nothing_is_imported():
    bad = [*STAFF[:2], "A3,E2,PSW,Y,2020-02-03,,Martian,Y"]
    for n, path in enumerate(PATHS):
        org = await make_org(f"bad{n}")
        report = await path(org.id, _file(bad), all_or_nothing=True)
        assert [str(e).split(" is not")[0] for e in report.errors] == ["line 4: ethnicity:"]
        assert "Martian" not in str(report.errors)
        assert not report.applied and await _stored(org.id) == []
        report = await path(org.id, _file(bad))  # without all-or-nothing the good rows go in, the bad one never
        assert report.applied and await _stored(org.id) == [("E1", "white", "not_disabled")]


@pytest.fixture
async def north():
    org = await make_org("north")
    rows = []
    groups = ["A"] * 5 + ["N"] * 4 + [""] * 3  # 5 white, 4 BME, 3 not stated
    for i, code in enumerate(groups):
        rows.append(f"N{i},E{i},PSW,Y,2019-0{1 + i % 9}-01,{'2020-06-30' if i % 3 == 0 else ''},{code},"
                    f"{'Y' if i < 5 else 'N'}")
    report = await importer.import_assignments(org.id, _file(rows))
    assert report.ok, report.errors
    return org


async def test_retention_by_group_suppresses_small_groups(north):
    hr = await make_user(north, "hr")
    result = await retention_by_equality(hr.principal)
    ethnicity, disability = result.splits
    white, bme, not_stated = ethnicity.groups
    assert (white.people, white.spells, white.suppressed) == (5, 5, False)
    # White: N0..N4, of whom N0 and N3 left on 2020-06-30 (546 and 456 days in).
    assert white.leavers == "<5"
    assert (white.retention[0].survival, white.retention[0].at_risk) == (1.0, 5)
    assert (white.retention[1].survival, white.retention[1].at_risk) == (None, "<5")  # 3 still at risk
    assert (white.cohort[0].retained, white.cohort[0].eligible, white.cohort[0].rate) == (5, 5, 1.0)
    assert (white.cohort[1].retained, white.cohort[1].rate) == ("<5", None)
    assert (bme.people, bme.suppressed, bme.retention, bme.cohort) == ("<5", True, (), ())
    assert (not_stated.people, not_stated.suppressed) == ("<5", True)
    assert [g.people for g in disability.groups] == [5, 7, 0]
    assert result.described == 12


async def test_only_admin_and_hr_read_it_and_every_read_is_audited(client, north):
    hr = await make_user(north, "hr")
    before = await AuditLog.count().where((AuditLog.table_name == "person") & (AuditLog.action == "read"))
    response = await client.get("/api/v1/retention/equality", headers=hr.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert [c["key"] for c in body["characteristics"]] == ["ethnicity", "disability"]
    assert body["characteristics"][0]["groups"][1]["people"] == "<5"
    assert "E1" not in response.text and "curve" not in response.text
    entries = await AuditLog.select().where((AuditLog.table_name == "person") & (AuditLog.action == "read"))
    assert len(entries) == before + 1
    detail = entries[-1]["detail"]
    detail = json.loads(detail) if isinstance(detail, str) else detail
    assert detail["fields"] == ["ethnicity", "disability"] and "bme" not in str(detail) and "white" not in str(detail)
    for role in ("peer_lead", "supervisor", "psw"):
        user = await make_user(north, role)
        assert (await client.get("/api/v1/retention/equality", headers=user.headers)).status_code == 403
        with pytest.raises(PermissionDenied):
            await retention_by_equality(user.principal)
    assert (await client.get("/api/v1/retention/equality?as_of=2999-01-01", headers=hr.headers)).status_code == 422


async def test_people_responses_and_pages_never_show_the_fields(client, north):
    everyone = await make_all_roles_user(north)
    listing = await client.get("/api/v1/people?limit=100", headers=everyone.headers)
    assert listing.status_code == 200 and len(listing.json()) == 12
    person_id = listing.json()[0]["id"]
    for response in (listing, await client.get(f"/api/v1/people/{person_id}", headers=everyone.headers),
                     await client.get(f"/api/v1/people/{person_id}/overview", headers=everyone.headers)):
        assert response.status_code == 200
        for word in ("ethnicity", "disability", "not_disabled", "bme", "white", "not_stated"):
            assert word not in response.text.lower()
    await signed_in(client, "admin", org=north)
    page = await client.get(f"/people/{person_id}")
    assert page.status_code == 200
    for word in ("ethnicity", "disab", "bme", "white", "not_stated"):
        assert word not in page.text.lower()
    equality_page = await client.get("/retention/equality")
    assert equality_page.status_code == 200 and "&lt;5" in equality_page.text
    assert "withheld (fewer than 5 people)" in equality_page.text


async def test_the_page_is_refused_to_peer_leads(client, north):
    await signed_in(client, "peer_lead", org=north)
    assert (await client.get("/retention/equality")).status_code == 403
    retention = await client.get("/retention")
    assert retention.status_code == 200 and "/retention/equality" not in retention.text


async def test_the_command_line_says_how_many_people_changed_never_the_values(engine, tmp_path):
    from tests.integration.test_cli import run

    assert run("orgs", "create", "west", "--name", "West Trust").returncode == 0
    staff = tmp_path / "staff.csv"
    staff.write_bytes(_file(_without(STAFF), equality=False))
    assert run("import", "assignments", str(staff), "--org", "west").returncode == 0
    staff.write_bytes(_file(STAFF))
    result = run("import", "assignments", str(staff), "--org", "west")
    assert result.returncode == 0, result.stderr
    assert "4 people's equality monitoring details were updated." in result.stdout
    for word in ("white", "bme", "disabled", "Indian"):
        assert word not in (result.stdout + result.stderr).lower()
    again = run("import", "assignments", str(staff), "--org", "west")
    assert "equality" not in again.stdout

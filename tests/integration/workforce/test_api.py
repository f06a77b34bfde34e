"""The workforce JSON API: create, read, update, list; clear problem details for bad input."""

import pytest

from peerwork.core.tables import AuditLog
from tests.factories import make_org, make_user


@pytest.fixture
async def hr():
    return await make_user(await make_org(), "hr")


async def test_people_and_assignments_round_trip(client, hr):
    h = hr.headers
    team = (await client.post("/api/v1/teams", json={"name": "Willow Ward"}, headers=h)).json()
    person = await client.post("/api/v1/people", json={"employee_number": "E1", "given_name": "Amara"}, headers=h)
    assert person.status_code == 201
    pid = person.json()["id"]
    created = await client.post("/api/v1/assignments", headers=h, json={
        "person_id": pid, "assignment_number": "A1", "position_title": "Peer Support Worker",
        "lived_experience_role": True, "start_date": "2024-04-01", "afc_band": "Band 4",
        "team_id": team["id"], "fte": "0.8",
    })
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["afc_band"] == "4" and body["team"] == "Willow Ward" and body["employee_number"] == "E1"
    assert body["fte"] == "0.8000"
    updated = await client.patch(f"/api/v1/assignments/{body['id']}", headers=h,
                                 json={"end_date": "2025-03-31", "leaving_reason": "Promotion"})
    assert updated.status_code == 200 and updated.json()["end_date"] == "2025-03-31"
    listed = (await client.get(f"/api/v1/people/{pid}/assignments", headers=h)).json()
    assert [a["assignment_number"] for a in listed] == ["A1"] and listed[0]["leaving_reason"] == "Promotion"
    renamed = await client.patch(f"/api/v1/people/{pid}", json={"family_name": "Okafor"}, headers=h)
    assert renamed.json()["given_name"] == "Amara" and renamed.json()["family_name"] == "Okafor"
    assert [p["employee_number"] for p in (await client.get("/api/v1/people", headers=h)).json()] == ["E1"]


@pytest.mark.parametrize(
    ("body", "status", "detail"),
    [
        ({"start_date": "2024-04-01", "end_date": "2024-03-01"}, 422, "end_date: 2024-03-01 is before start_date 2024-04-01"),
        ({"afc_band": "11"}, 422, "afc_band: '11' is not an Agenda for Change band (2-9, 8a-8d)"),
        ({"fte": "1.5"}, 422, "fte: 1.5 is out of range (0 < fte <= 1)"),
        ({"start_date": "01/04/2024"}, 400, "start_date"),
        ({"team_id": "00000000-0000-0000-0000-000000000001"}, 422, "team_id: no such team in your organisation."),
        ({"colour": "red"}, 400, "colour"),
    ],
)
async def test_bad_assignment_input_is_a_clear_problem_not_a_500(client, hr, body, status, detail):
    pid = (await client.post("/api/v1/people", json={"employee_number": "E1"}, headers=hr.headers)).json()["id"]
    payload = {"person_id": pid, "assignment_number": "A1", "position_title": "PSW",
               "lived_experience_role": True, "start_date": "2024-04-01", **body}
    response = await client.post("/api/v1/assignments", json=payload, headers=hr.headers)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == status and detail in problem["detail"] and problem["type"].startswith("https://")


async def test_duplicates_are_409(client, hr):
    await client.post("/api/v1/people", json={"employee_number": "E1"}, headers=hr.headers)
    again = await client.post("/api/v1/people", json={"employee_number": "E1"}, headers=hr.headers)
    assert again.status_code == 409 and again.json()["detail"] == "Employee number 'E1' is already in use."
    await client.post("/api/v1/teams", json={"name": "Oak"}, headers=hr.headers)
    assert (await client.post("/api/v1/teams", json={"name": "Oak"}, headers=hr.headers)).status_code == 409


async def test_empty_patch_and_malformed_json_are_4xx(client, hr):
    pid = (await client.post("/api/v1/people", json={"employee_number": "E1"}, headers=hr.headers)).json()["id"]
    empty = await client.patch(f"/api/v1/people/{pid}", json={}, headers=hr.headers)
    assert empty.status_code == 422 and "Nothing to change" in empty.json()["detail"]
    broken = await client.post("/api/v1/people", content=b"{not json", headers={**hr.headers, "content-type": "application/json"})
    assert broken.status_code == 400
    assert (await client.get("/api/v1/people/not-a-uuid", headers=hr.headers)).status_code in (400, 404)


async def test_reading_lived_experience_flags_is_audited_and_writes_too(client, hr):
    pid = (await client.post("/api/v1/people", json={"employee_number": "E1"}, headers=hr.headers)).json()["id"]
    await client.get(f"/api/v1/people/{pid}/assignments", headers=hr.headers)
    actions = await AuditLog.select(AuditLog.action, AuditLog.table_name, AuditLog.account).order_by(AuditLog.at)
    assert {"action": "create", "table_name": "person", "account": hr.principal.account_id} in actions
    assert {"action": "read", "table_name": "assignment", "account": hr.principal.account_id} in actions


async def test_audit_log_is_append_only(hr):
    from peerwork.core.db import current_engine

    await AuditLog.insert(AuditLog(action="test", table_name="x")).run()
    with pytest.raises(Exception, match="append-only"):
        await AuditLog.update({AuditLog.action: "changed"}).where(AuditLog.action == "test")
    with pytest.raises(Exception, match="append-only"):
        await current_engine().run_ddl("DELETE FROM audit_log")
    assert await AuditLog.count().where(AuditLog.action == "test") == 1


async def test_import_over_the_api_reports_line_numbers(client, hr):
    csv = b"assignment_number,person_id,position_title,lived_experience_role,start_date\nA1,E1,PSW,Y,2024-01-01\nA2,E2,PSW,Y,1/1/24\n"
    dry = await client.post("/api/v1/imports/assignments?dry_run=true", files={"data": ("s.csv", csv, "text/csv")},
                            headers=hr.headers)
    assert dry.status_code == 200
    body = dry.json()
    assert body["dry_run"] and not body["applied"] and body["created"] == 1
    assert body["errors"] == [{"line": 3, "column": "start_date",
                               "problem": "'1/1/24' is not a date (use YYYY-MM-DD or DD/MM/YYYY)"}]
    assert (await client.get("/api/v1/assignments", headers=hr.headers)).json() == []
    strict = await client.post("/api/v1/imports/assignments?all_or_nothing=true",
                               files={"data": ("s.csv", csv, "text/csv")}, headers=hr.headers)
    assert strict.json()["applied"] is False
    assert (await client.get("/api/v1/assignments", headers=hr.headers)).json() == []
    missing = await client.post("/api/v1/imports/assignments", headers=hr.headers)
    assert missing.status_code == 400


async def test_openapi_and_docs_are_served(client):
    schema = await client.get("/schema/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/people/{person_id}" in paths and "/api/v1/imports/assignments" in paths
    assert (await client.get("/schema")).status_code == 200


async def test_health_reports_the_database(client):
    response = await client.get("/health")
    assert response.status_code == 200 and response.json()["database"] == "reachable"

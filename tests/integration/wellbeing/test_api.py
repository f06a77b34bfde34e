"""The wellbeing API's own rules: problem details for bad input with nothing saved, sharing only
with someone in the organisation or a network partner, and what a check-in suggests."""

from __future__ import annotations

from datetime import date

from peerwork.core.tables import AuditLog
from peerwork.supervision import agreements
from peerwork.supervision.schemas import AgreementIn
from peerwork.wellbeing.tables import WellbeingCheckIn, WellbeingDocument, WellbeingShare
from tests.factories import make_org, make_user
from tests.integration.community.helpers import make_series
from tests.integration.web.test_forms import post_form, signed_in


async def test_bad_input_is_a_problem_and_nothing_is_saved(client):
    org = await make_org()
    psw = await make_user(org, "psw")
    for body in ({"what_helps": "x" * 4001}, {"review_date": "next week"}, {"colour": "blue"}, ["not", "a", "plan"]):
        refused = await client.put("/api/v1/wellbeing/plan", headers=psw.headers, json=body)
        assert refused.status_code == 400, body
        assert refused.headers["content-type"].startswith("application/problem+json")
    nul = await client.put("/api/v1/wellbeing/plan", headers={**psw.headers, "Content-Type": "application/json"},
                           content=b'{"what_helps": "a\\u0000b"}')
    assert nul.status_code == 400
    bad_need = await client.post("/api/v1/wellbeing/check-ins", headers=psw.headers, json={"need": "holiday"})
    assert bad_need.status_code == 400 and "need" in bad_need.json()["detail"]
    assert await WellbeingDocument.count() == 0 and await WellbeingCheckIn.count() == 0
    assert (await client.get("/api/v1/wellbeing/plan", headers=psw.headers)).json() is None
    unsigned = await client.get("/api/v1/wellbeing/plan")
    assert unsigned.status_code == 401


async def test_sharing_only_with_one_named_person_in_the_organisation_or_its_network(client):
    north = await make_org("north", network="mersey")
    east = await make_org("east", network="mersey")
    south = await make_org("south")
    psw = await make_user(north, "psw")
    colleague = await make_user(north, "supervisor")
    partner = await make_user(east, "peer_lead")
    stranger = await make_user(south, "supervisor")
    plan = (await client.put("/api/v1/wellbeing/plan", headers=psw.headers, json={"what_helps": "Tea"})).json()
    path = f"/api/v1/wellbeing/documents/{plan['id']}/shares"

    refused = [
        {"account_id": str(stranger.principal.account_id)},  # another organisation, by account
        {"account_id": str(partner.principal.account_id)},  # a partner must be named by email
        {"email": stranger.email},  # outside the network
        {"email": "nobody@north.example"},
        {"account_id": str(psw.principal.account_id)},  # yourself
        {},  # nobody
        {"account_id": str(colleague.principal.account_id), "email": partner.email},  # two at once
    ]
    for body in refused:
        response = await client.post(path, headers=psw.headers, json=body)
        assert response.status_code == 422, (body, response.text)
    assert await WellbeingShare.count() == 0

    people = (await client.get("/api/v1/wellbeing/people", headers=psw.headers)).json()
    assert [p["name"] for p in people] == ["supervisor"]  # own organisation only, not themself
    made = await client.post(path, headers=psw.headers, json={"account_id": str(colleague.principal.account_id)})
    assert made.status_code == 201 and made.json()["name"] == "supervisor"
    again = await client.post(path, headers=psw.headers, json={"account_id": str(colleague.principal.account_id)})
    assert again.status_code == 201 and await WellbeingShare.count() == 1  # sharing twice changes nothing
    across = await client.post(path, headers=psw.headers, json={"email": partner.email.upper()})
    assert across.status_code == 201 and across.json()["organisation"] == "East Trust"
    read = await client.get(f"/api/v1/wellbeing/documents/{plan['id']}", headers=partner.headers)
    assert read.status_code == 200 and read.json()["text"]["what_helps"] == "Tea" and not read.json()["mine"]
    assert read.headers["cache-control"] == "no-store, private" or "no-store" in read.headers["cache-control"]
    actions = await AuditLog.select(AuditLog.action).where(AuditLog.table_name == "wellbeing_share").output(as_list=True)
    assert sorted(actions) == ["share", "share"]


async def test_a_check_in_suggests_a_space_the_plan_or_a_debrief_and_stays_private(client):
    org = await make_org()
    lead = await make_user(org, "peer_lead")
    psw = await make_user(org, "psw")
    admin = await make_user(org, "admin")
    await make_series(lead, title="Tuesday co-reflection")
    supervisor = await make_user(org, "supervisor", email="robin@north.example")
    await agreements.create_agreement(lead.principal, AgreementIn(
        supervisor_id=supervisor.principal.account_id, supervisee_id=psw.principal.account_id,
        start_date=date.today()))
    await client.put("/api/v1/wellbeing/plan", headers=psw.headers, json={"what_helps": "A walk at lunch"})

    connection = (await client.post("/api/v1/wellbeing/check-ins", headers=psw.headers,
                                    json={"need": "connection"})).json()
    assert "Tuesday co-reflection" in connection["suggestion"]["text"]
    assert connection["suggestion"]["links"][0]["href"].startswith("/community/occurrences/")
    rest = (await client.post("/api/v1/wellbeing/check-ins", headers=psw.headers, json={"need": "rest"})).json()
    assert "A walk at lunch" in rest["suggestion"]["text"]
    support = (await client.post("/api/v1/wellbeing/check-ins", headers=psw.headers,
                                 json={"need": "support", "note": "Long week"})).json()
    assert {link["href"] for link in support["suggestion"]["links"]} == {"/debrief", "/supervision"}
    assert "your supervisor, robin" in support["suggestion"]["text"]

    mine = (await client.get("/api/v1/wellbeing/check-ins", headers=psw.headers)).json()
    assert [c["need"] for c in mine] == ["support", "rest", "connection"] and mine[0]["note"] == "Long week"
    assert (await client.get("/api/v1/wellbeing/check-ins", headers=admin.headers)).json() == []
    # Check-ins are in no audit entry (an admin reading the log would see when someone checked in).
    assert await AuditLog.count().where(AuditLog.table_name == "wellbeing_check_in") == 0


async def test_the_page_refuses_what_the_api_refuses_and_keeps_the_form(client):
    await signed_in(client, "psw")
    refused = await post_form(client, "/wellbeing", "/wellbeing/plan",
                              {"what_helps": "Kept as typed", "review_date": "31/12/2026"})
    assert refused.status_code == 422 and "review_date: must be a date (YYYY-MM-DD)" in refused.text
    assert "Kept as typed" in refused.text and await WellbeingDocument.count() == 0
    saved = await post_form(client, "/wellbeing", "/wellbeing/plan", {"what_helps": "Kept as typed <script>x</script>",
                                                                      "review_date": "2027-01-31"})
    assert saved.status_code == 303
    page = await client.get("/wellbeing?done=plan")
    assert "Your wellness plan is saved." in page.text and "Kept as typed &lt;script&gt;" in page.text
    assert "<script>x" not in page.text
    assert "no-store" in page.headers["cache-control"]
    no_need = await post_form(client, "/wellbeing", "/wellbeing/check-in", {"note": "?"})
    assert no_need.status_code == 422 and "need: required" in no_need.text

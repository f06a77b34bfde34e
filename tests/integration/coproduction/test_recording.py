"""Recording involvement: amounts copied at the rate of the day, edits only while due, paid
lines corrected by a correcting line, and a person's own record."""

from __future__ import annotations

from peerwork.core.tables import AuditLog
from peerwork.coproduction.tables import InvolvementLine
from tests.factories import make_org, make_user
from tests.integration.coproduction.helpers import API, RATES, an_activity, set_up


async def world():
    org = await make_org("north")
    hr = await make_user(org, "hr")
    return org, hr, await set_up(org, hr)


async def test_an_activity_is_recorded_with_each_persons_hours_expenses_and_amount_due(client):
    org, hr, people = await world()
    response = await client.post(f"{API}/activities", headers=hr.headers, json={
        "title": "Co-designing the crisis pathway", "kind": "co_design", "held_on": "2026-03-04",
        "description": "Two workshops", "lines": [
            {"participant_id": str(people["staff"].id), "minutes": 90},
            {"participant_id": str(people["external"].id), "minutes": 25, "expenses_pence": 640}]})
    assert response.status_code == 201, response.text
    lines = {line["name"]: line for line in response.json()["lines"]}
    assert lines["Sam Staff"]["amount_pence"] == 3000 and lines["Sam Staff"]["rate_pence"] == 2000
    # 25 minutes at £20 an hour is 833.33p: 833p; the voucher preference is copied onto the line.
    assert lines["Ali External"]["amount_pence"] == 833 and lines["Ali External"]["preference"] == "voucher"
    assert lines["Ali External"]["expenses_pence"] == 640 and lines["Ali External"]["status"] == "due"
    listed = (await client.get(f"{API}/activities", headers=hr.headers)).json()
    assert listed[0]["people"] == 2 and listed[0]["due_pence"] == 3000 + 833 + 640


async def test_changing_the_policy_or_a_preference_never_changes_what_was_recorded(client):
    org, hr, people = await world()
    activity = await an_activity(hr, people)
    assert (await client.put(f"{API}/policy", headers=hr.headers, json={
        "rates": {"co_design": 5000}, "reimburse_expenses": False})).status_code == 200
    assert (await client.patch(f"{API}/participants/{people['staff'].id}", headers=hr.headers,
                               json={"preference": "none"})).status_code == 200
    again = (await client.get(f"{API}/activities/{activity.id}", headers=hr.headers)).json()
    assert sorted(line["amount_pence"] for line in again["lines"]) == [3000, 5000]
    assert {line["preference"] for line in again["lines"]} == {"paid", "voucher"}
    # A new line uses today's policy: the new rate, and nothing for someone who chose no payment.
    added = await client.post(f"{API}/activities", headers=hr.headers, json={
        "title": "Second workshop", "kind": "co_design", "held_on": "2026-04-01",
        "lines": [{"participant_id": str(people["staff"].id), "minutes": 60}]})
    assert added.json()["lines"][0]["rate_pence"] == 5000 and added.json()["lines"][0]["amount_pence"] == 0
    refused = await client.post(f"{API}/activities/{activity.id}/lines", headers=hr.headers, json={
        "participant_id": str(people["staff"].id), "minutes": 60})
    assert refused.status_code == 409
    actions = await AuditLog.select(AuditLog.table_name).where(AuditLog.action == "update").output(as_list=True)
    assert "coproduction_policy" in actions and "coproduction_participant" in actions


async def test_expenses_are_refused_when_the_policy_does_not_reimburse_them(client):
    org, hr, people = await world()
    await client.put(f"{API}/policy", headers=hr.headers, json={"rates": RATES, "reimburse_expenses": False})
    response = await client.post(f"{API}/activities", headers=hr.headers, json={
        "title": "Panel", "kind": "co_design", "held_on": "2026-03-04",
        "lines": [{"participant_id": str(people["external"].id), "minutes": 60, "expenses_pence": 100}]})
    assert response.status_code == 422 and "expenses" in response.json()["detail"]
    assert await InvolvementLine.count() == 0


async def test_a_due_line_is_edited_but_a_paid_one_only_corrected_by_a_new_line(client):
    org, hr, people = await world()
    activity = await an_activity(hr, people)
    line = next(line for line in activity.lines if line.name == "Sam Staff")
    edited = await client.patch(f"{API}/lines/{line.id}", headers=hr.headers, json={"minutes": 120})
    assert edited.status_code == 200 and edited.json()["amount_pence"] == 4000
    early = await client.post(f"{API}/lines/{line.id}/correction", headers=hr.headers,
                              json={"minutes": 60, "expenses_pence": 0, "note": "x"})
    assert early.status_code == 409
    paid = await client.post(f"{API}/payments", headers=hr.headers,
                             json={"line_ids": [str(line.id)], "paid_on": "2026-03-31"})
    assert paid.status_code == 200 and paid.json() == {"paid": 1}
    refused = await client.patch(f"{API}/lines/{line.id}", headers=hr.headers, json={"minutes": 30})
    assert refused.status_code == 409 and "correction" in refused.json()["detail"]
    twice = await client.post(f"{API}/payments", headers=hr.headers,
                              json={"line_ids": [str(line.id)], "paid_on": "2026-04-01"})
    assert twice.status_code == 409
    # It was 1.5 hours, not 2: the correction takes back half an hour at the copied rate.
    correction = await client.post(f"{API}/lines/{line.id}/correction", headers=hr.headers,
                                   json={"minutes": 90, "expenses_pence": 0, "note": "Left early"})
    assert correction.status_code == 201, correction.text
    body = correction.json()
    assert (body["minutes"], body["amount_pence"], body["status"], body["corrects"]) == (-30, -1000, "due", str(line.id))
    same = await client.post(f"{API}/lines/{line.id}/correction", headers=hr.headers,
                             json={"minutes": 90, "expenses_pence": 0, "note": "Again"})
    assert same.status_code == 422
    assert (await client.patch(f"{API}/lines/{body['id']}", headers=hr.headers,
                               json={"minutes": 5})).status_code == 409
    stored = await InvolvementLine.select(InvolvementLine.minutes, InvolvementLine.status).where(
        InvolvementLine.id == line.id).first()
    assert stored == {"minutes": 120, "status": "paid"}


async def test_bad_input_is_a_problem_and_changes_nothing(client):
    org, hr, people = await world()
    base = {"title": "T", "kind": "co_design", "held_on": "2026-03-04"}
    for body in ({**base, "kind": "gardening"}, {**base, "lines": [{"participant_id": str(people["staff"].id),
                                                                     "minutes": 0}]},
                 {**base, "title": "Bad\u0000title"},
                 {**base, "lines": [{"participant_id": str(people["staff"].id), "minutes": 60}] * 2},
                 {**base, "lines": [{"participant_id": "00000000-0000-0000-0000-000000000009", "minutes": 60}]},
                 {**base, "unknown": 1}):
        response = await client.post(f"{API}/activities", headers=hr.headers, json=body)
        assert 400 <= response.status_code < 500, (body, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
    assert (await client.put(f"{API}/policy", headers=hr.headers,
                             json={"rates": {"co_design": 1.5}})).status_code == 400
    assert (await client.put(f"{API}/policy", headers=hr.headers,
                             json={"rates": {"co_design": -1}})).status_code == 400
    assert (await client.post(f"{API}/participants", headers=hr.headers,
                              json={"name": "No Email"})).status_code == 422
    assert (await client.post(f"{API}/participants", headers=hr.headers,
                              json={"name": "Ali again", "email": "ALI@experts.example"})).status_code == 409
    assert (await client.get(f"{API}/due.csv?from=2026-03-01&to=2026-01-01", headers=hr.headers)).status_code == 422
    assert (await client.get(f"{API}/activities", headers=hr.headers)).json() == []


async def test_people_see_their_own_record_and_nobody_elses(client):
    org, hr, people = await world()
    await an_activity(hr, people)
    # Ali signs in later with the email they were recorded under; Sam's account is linked to his staff record.
    ali = await make_user(org, "psw", email="ali@experts.example")
    sam = await make_user(org, "psw", email="sam.account@north.example")
    from peerwork.core.tables import Account

    await Account.update({Account.person: people["person_id"]}).where(Account.id == sam.principal.account_id)
    bystander = await make_user(org, "peer_lead", email="bystander@north.example")
    mine = (await client.get(f"{API}/mine", headers=ali.headers)).json()
    assert [(line["minutes"], line["amount_pence"], line["expenses_pence"]) for line in mine["lines"]] == [(150, 5000, 640)]
    assert mine["due_pence"] == 5640 and mine["paid_pence"] == 0
    sams = (await client.get(f"{API}/mine", headers=(await _fresh(sam)).headers)).json()
    assert [line["minutes"] for line in sams["lines"]] == [90]
    assert (await client.get(f"{API}/mine", headers=bystander.headers)).json()["lines"] == []
    for path in ("/activities", "/participants", "/due.csv?from=2026-01-01&to=2026-12-31"):
        assert (await client.get(f"{API}{path}", headers=ali.headers)).status_code == 403
        assert (await client.get(f"{API}{path}", headers=bystander.headers)).status_code == 403


async def _fresh(user):
    """The user's token read again, so the principal carries the staff record just linked."""
    from peerwork.core import accounts

    principal = await accounts.authenticate_token(user.token)
    assert principal.person_id is not None
    return user


async def test_the_home_page_tells_finance_what_is_due_and_each_person_what_is_due_to_them(client):
    org, hr, people = await world()
    await an_activity(hr, people)
    items = (await client.get("/api/v1/me/todo", headers=hr.headers)).json()["items"]
    due = next(i for i in items if i["kind"] == "coproduction.due")
    assert due["count"] == 2 and due["href"] == "/coproduction/finance"
    ali = await make_user(org, "psw", email="ali@experts.example")
    mine = [i for i in (await client.get("/api/v1/me/todo", headers=ali.headers)).json()["items"]
            if i["section"] == "Co-production"]
    assert [(i["kind"], i["title"]) for i in mine] == [("coproduction.mine", "£56.40 is due to you for involvement")]

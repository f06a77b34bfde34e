"""The daily rota: peer leads (and admins) set who is on call; only people in a peer role here
can be on it; nobody else may change it."""

from __future__ import annotations

from datetime import timedelta

from peerwork.core.tables import AuditLog
from peerwork.debrief import rota
from tests.factories import make_org, make_user
from tests.integration.debrief.helpers import make_team

API = "/api/v1/debrief/rota"


async def test_a_peer_lead_adds_and_removes_people_and_sees_the_week(client):
    team = await make_team()
    today = rota.today()
    week = (await client.get(API, headers=team.lead.headers, params={"start": today.isoformat()})).json()
    assert week["start"] == rota.week_start(today).isoformat() and len(week["days"]) == 7
    shown = {d["day"]: sorted(p["name"] for p in d["on_call"]) for d in week["days"]}
    assert shown[today.isoformat()] == ["debriefer0", "debriefer1"]
    eligible = {p["name"] for p in week["eligible"]}
    assert {"asker", "bystander", "lead", "debriefer0"} <= eligible

    later = (today + timedelta(days=3)).isoformat()
    body = {"day": later, "account_id": str(team.bystander.principal.account_id)}
    added = await client.post(API, headers=team.lead.headers, json=body)
    assert added.status_code == 201 and added.json()["name"] == "bystander"
    again = await client.post(API, headers=team.lead.headers, json=body)  # twice is once
    assert again.json()["id"] == added.json()["id"]
    assert await rota.on_call(team.org.id, today + timedelta(days=3)) == [team.bystander.principal.account_id]
    gone = await client.delete(f"{API}/{added.json()['id']}", headers=team.lead.headers)
    assert gone.status_code == 204
    assert await rota.on_call(team.org.id, today + timedelta(days=3)) == []
    assert await AuditLog.count().where(AuditLog.table_name == "debrief_rota") >= 4


async def test_only_rota_keepers_change_it_and_only_peers_here_can_be_on_it(client):
    team = await make_team()
    org = team.org
    admin, hr = await make_user(org, "admin"), await make_user(org, "hr")
    body = {"day": rota.today().isoformat(), "account_id": str(team.bystander.principal.account_id)}
    for user in (team.asker, team.debriefers[0], hr):
        assert (await client.post(API, headers=user.headers, json=body)).status_code == 403
        assert (await client.get(API, headers=user.headers)).status_code == 403
    assert (await client.post(API, headers=admin.headers, json=body)).status_code == 201
    # HR and admins are not peer debriefers; someone in another organisation does not exist here.
    for outsider in (hr, admin, await make_user(await make_org("south"), "psw")):
        response = await client.post(API, headers=team.lead.headers,
                                     json={**body, "account_id": str(outsider.principal.account_id)})
        assert response.status_code == 404, response.text
    # Yesterday cannot be changed; a far-off year is a typo.
    for day in (rota.today() - timedelta(days=1), rota.today() + timedelta(days=900)):
        response = await client.post(API, headers=team.lead.headers, json={**body, "day": day.isoformat()})
        assert response.status_code in (400, 422) and response.headers["content-type"].startswith("application/problem")
    assert (await client.get(API, headers=team.lead.headers, params={"start": "9999-12-31"})).status_code in (400, 422)
    # Another organisation's rota entry is not found.
    entry = (await client.get(API, headers=team.lead.headers)).json()["days"]
    entry_id = next(p["id"] for d in entry for p in d["on_call"])
    south_lead = await make_user(await make_org("south2"), "peer_lead")
    assert (await client.delete(f"{API}/{entry_id}", headers=south_lead.headers)).status_code == 404

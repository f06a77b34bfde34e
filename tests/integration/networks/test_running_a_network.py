"""Running a network through the API and the pages: invite, accept, leave, leads, references."""

from __future__ import annotations

from peerwork.core.tables import AuditLog, Membership, NetworkMembership
from peerwork.networks.references import references
from peerwork.networks.tables import NetworkLead
from tests.integration.web.test_forms import csrf_from
from tests.factories import PASSWORD, make_user
from tests.integration.accounts.mfa_helpers import finish_second_factor


async def test_an_invited_organisation_joins_when_its_admin_accepts(client, world):
    host, invited = world["callers"]["host_admin"], world["callers"]["invited_admin"]
    made = await client.post("/api/v1/networks/bay/invitations", json={"organisation": "west"}, headers=host.headers)
    assert made.status_code == 201 and made.json()["status"] == "pending"
    again = await client.post("/api/v1/networks/bay/invitations", json={"organisation": "west"}, headers=host.headers)
    assert again.status_code == 409 and again.headers["content-type"].startswith("application/problem+json")
    waiting = (await client.get("/api/v1/networks/invitations", headers=invited.headers)).json()
    assert [i["network"] for i in waiting] == ["bay"]
    # Before accepting, west cannot see the network.
    assert (await client.get("/api/v1/networks/bay", headers=invited.headers)).status_code == 404
    accepted = await client.post(f"/api/v1/networks/bay/invitations/{made.json()['id']}/accept", headers=invited.headers)
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    detail = (await client.get("/api/v1/networks/bay", headers=invited.headers)).json()
    assert [m["slug"] for m in detail["members"]] == ["north", "south", "west"]
    assert detail["invitations"] is None and detail["leads"] is None  # not the host's admin
    twice = await client.post(f"/api/v1/networks/bay/invitations/{made.json()['id']}/accept", headers=invited.headers)
    assert twice.status_code == 409


async def test_leaving_takes_the_organisations_leads_with_it_and_the_host_cannot_leave(client, world):
    callers = world["callers"]
    assert (await client.post("/api/v1/networks/bay/leave", headers=callers["host_admin"].headers)).status_code == 409
    assert (await client.get("/api/v1/networks/bay", headers=callers["lead_bay"].headers)).status_code == 200
    assert (await client.post("/api/v1/networks/bay/leave", headers=callers["member_admin"].headers)).status_code == 204
    assert not await NetworkMembership.exists().where(NetworkMembership.organisation == world["south"].id)
    assert not await NetworkLead.exists().where(NetworkLead.organisation == world["south"].id)
    lead_account = callers["lead_bay"].principal.account_id
    assert not await Membership.exists().where((Membership.account == lead_account)
                                               & (Membership.role == "network_lead"))
    assert (await client.get("/api/v1/networks/bay", headers=callers["lead_bay"].headers)).status_code == 403
    figures = (await client.get("/api/v1/networks/bay/figures", headers=callers["host_admin"].headers)).json()
    assert [m["key"] for m in figures["members"]] == ["north"]


async def test_a_lead_is_granted_only_to_someone_in_a_member_organisation(client, world):
    host = world["callers"]["host_admin"].headers
    for body in ({"email": "admin@east.example", "organisation": "east"},  # east is not a member of bay
                 {"email": "admin@east.example", "organisation": "south"},  # not south's account
                 {"email": "nobody@south.example", "organisation": "south"}):
        response = await client.post("/api/v1/networks/bay/leads", json=body, headers=host)
        assert response.status_code == 422, response.text
    bad = await client.post("/api/v1/networks/bay/leads", json={"email": "x@y.z", "organisation": "Not A Slug"},
                            headers=host)
    assert bad.status_code == 400 and bad.headers["content-type"].startswith("application/problem+json")


async def test_a_reference_figure_is_edited_for_this_network_only_and_audited(client, world):
    host = world["callers"]["host_admin"].headers
    for body in ({"value": 1.5, "source": "x"}, {"value": 0.5, "source": ""}, {"value": "lots", "source": "x"}):
        response = await client.put("/api/v1/networks/bay/references/survey:role_training", json=body, headers=host)
        assert response.status_code == 400, response.text
    unknown = await client.put("/api/v1/networks/bay/references/survey:nothing", json={"value": 0.5, "source": "x"},
                               headers=host)
    assert unknown.status_code == 404
    saved = await client.put("/api/v1/networks/bay/references/survey:role_training",
                             json={"value": 0.7, "source": "Regional survey 2026"}, headers=host)
    assert saved.status_code == 200 and saved.json()["value"] == 0.7
    bay = {r["key"]: r for r in (await client.get("/api/v1/networks/bay/references", headers=host)).json()}
    assert bay["survey:role_training"]["source"] == "Regional survey 2026"
    assert {r.key: r.value for r in await references()}["survey:role_training"] == 0.89
    fen_admin = world["callers"]["other_network_admin"].headers
    fen = {r["key"]: r["value"] for r in (await client.get("/api/v1/networks/fen/references", headers=fen_admin)).json()}
    assert fen["survey:role_training"] == 0.89
    assert await AuditLog.exists().where((AuditLog.table_name == "reference_figure") & (AuditLog.action == "update"))


async def test_the_figures_read_is_audited_and_a_bad_date_is_a_problem(client, world):
    lead = world["callers"]["lead_bay"].headers
    assert (await client.get("/api/v1/networks/bay/figures?as_of=2099-01-01", headers=lead)).status_code == 422
    assert (await client.get("/api/v1/networks/bay/figures?as_of=yesterday", headers=lead)).status_code == 400
    assert (await client.get("/api/v1/networks/bay/figures", headers=lead)).status_code == 200
    assert await AuditLog.exists().where((AuditLog.table_name == "network_figures") & (AuditLog.action == "read"))


async def _sign_in(client, user_email: str) -> None:
    form = await client.get("/login")
    response = await client.post("/login", data={"email": user_email, "password": PASSWORD, "next": "/",
                                                 "_csrf_token": csrf_from(form.text)}, follow_redirects=False)
    assert response.status_code == 303, response.text
    await finish_second_factor(client, response, user_email)


async def test_the_network_page_shows_members_figures_and_references_and_runs_the_network(client, world):
    admin = await make_user(world["north"], "admin", email="page.admin@north.example", password=PASSWORD)
    await _sign_in(client, admin.email)
    page = await client.get("/networks/bay")
    assert page.status_code == 200, page.text
    text = page.text
    assert "North Trust" in text and "South Trust" in text and "Network (pooled)" in text
    assert "Trusts not providing role training" in text and "89%" in text and "98%" in text
    assert not {p for p in world["people"] if p in text}
    # Invite west from the page, then withdraw it after confirming nothing is needed.
    invited = await client.post("/networks/bay/invitations", data={"organisation": "west",
                                                                   "_csrf_token": csrf_from(text)},
                                follow_redirects=False)
    assert invited.status_code == 303 and invited.headers["location"].startswith("/networks/bay")
    problem = await client.post("/networks/bay/invitations", data={"organisation": "no-such-org",
                                                                  "_csrf_token": csrf_from(text)})
    assert problem.status_code == 422 and "no organisation with slug" in problem.text
    # Removing a member asks first, then removes.
    asked = await client.post("/networks/bay/members/south/remove", data={"_csrf_token": csrf_from(text)})
    assert asked.status_code == 200 and "Remove south from the network?" in asked.text
    assert await NetworkMembership.exists().where(NetworkMembership.organisation == world["south"].id)
    done = await client.post("/networks/bay/members/south/remove", data={"_csrf_token": csrf_from(text),
                                                                         "confirm": "yes"}, follow_redirects=False)
    assert done.status_code == 303
    assert not await NetworkMembership.exists().where(NetworkMembership.organisation == world["south"].id)
    saved = await client.post("/networks/bay/references/reference_trust:retention_1y",
                              data={"value": "95", "source": "Our lead trust, 2025 report",
                                    "_csrf_token": csrf_from(text)}, follow_redirects=False)
    assert saved.status_code == 303
    assert "Our lead trust, 2025 report" in (await client.get("/networks/bay")).text


async def test_hr_sees_what_their_organisation_shares_and_not_the_network(client, world):
    hr = await make_user(world["south"], "hr", email="page.hr@south.example", password=PASSWORD)
    await _sign_in(client, hr.email)
    listing = await client.get("/networks")
    assert listing.status_code == 200 and "/networks/bay/shared" in listing.text
    shared = await client.get("/networks/bay/shared")
    assert shared.status_code == 200 and "What South Trust shares" in shared.text
    assert not {p for p in world["people"] if p in shared.text}
    assert (await client.get("/networks/bay")).status_code == 403
    assert (await client.get("/networks/fen/shared")).status_code == 404

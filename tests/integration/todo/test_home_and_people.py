"""The home page and GET /api/v1/me/todo agree; people search and filters; a person's page
shows each section only to a viewer with the right to it, audits sensitive reads, and is a 404
in another organisation."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

import pytest

from peerwork.core.tables import AuditLog, Person
from peerwork.pairing import service as pairing_service
from peerwork.pairing.schemas import PairIn
from peerwork.workforce.tables import Team
from tests.conftest import http_client
from tests.development_helpers import did, make_course, make_employee, one_to_one
from tests.factories import PASSWORD, make_org, make_user
from tests.integration.accounts.mfa_helpers import finish_second_factor
from tests.integration.web.test_forms import csrf_from

TODAY = date.today()
ITEM_LINK = re.compile(r'<li class="todo-item [a-z]+" data-kind="[^"]+">\s*<p class="meta">.*?</p>\s*'
                       r'<p><a href="([^"]+)">([^<]+)</a>', re.S)


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


async def sign_in(client, email: str) -> None:
    form = await client.get("/login")
    response = await client.post("/login", data={"email": email, "password": PASSWORD, "next": "/",
                                                 "_csrf_token": csrf_from(form.text)}, follow_redirects=False)
    assert response.status_code == 303, response.text
    await finish_second_factor(client, response, email)


@pytest.fixture
async def north():
    org = await make_org("north")
    people = {
        "lead": await make_employee(org, "Lena", "peer_lead", started=ago(2000), team="Oak Ward", password=PASSWORD),
        "sam": await make_employee(org, "Sam", "supervisor", started=ago(900), team="Oak Ward",
                                   lived_experience=False),
        "pat": await make_employee(org, "Pat", started=ago(400), team="Willow Ward", password=PASSWORD),
        "nia": await make_employee(org, "Nia", started=ago(30), team="Willow Ward"),
        "leo": await make_employee(org, "Leo", started=ago(900), ended=ago(100), team="Oak Ward"),
        "hr": await make_user(org, "hr", password=PASSWORD),
    }
    for user in people.values():  # the import gives employee numbers; names come from HR
        if user.principal.person_id:
            await Person.update({Person.given_name: user.principal.display_name, Person.family_name: "Okafor"}).where(
                Person.id == user.principal.person_id)
    course = await make_course(org, "Safeguarding adults", roles="psw", renewal_months=12)
    await did(org, people["pat"], ago(400), course)  # expired
    await one_to_one(org, people["sam"], people["pat"], held_days_ago=10)
    await pairing_service.confirm_pair(people["lead"].principal, PairIn(
        new_peer_id=people["nia"].principal.account_id, experienced_peer_id=people["pat"].principal.account_id))
    return {"org": org, **people}


def person_id(user) -> str:
    return str(user.principal.person_id)


# --- home page against the API ----------------------------------------------------------------

@pytest.mark.parametrize("who", ["pat", "lead", "hr"])
async def test_the_home_page_shows_exactly_the_items_the_api_gives(app, north, who):
    async with http_client(app) as client:
        api = await client.get("/api/v1/me/todo", headers=north[who].headers)
        assert api.status_code == 200
        items = api.json()["items"]
        assert items, f"{who} has something to do in this organisation"
        await sign_in(client, north[who].email)
        page = (await client.get("/")).text
    shown = [(html.unescape(title), href) for href, title in ITEM_LINK.findall(page)]
    assert shown == [(i["title"], i["href"]) for i in items]


async def test_each_role_gets_its_own_items(client, north):
    async def kinds(who):
        return {i["kind"] for i in (await client.get("/api/v1/me/todo", headers=north[who].headers)).json()["items"]}

    pat, lead, hr = await kinds("pat"), await kinds("lead"), await kinds("hr")
    assert {"cpd.expired", "pairing.my_pair"} <= pat and not pat & {"cpd.lapsed", "retention.headline"}
    assert "cpd.induction_late" in lead and "retention.headline" not in lead and "cpd.lapsed" not in lead
    assert {"retention.headline", "cpd.lapsed", "workforce.import"} <= hr and "pairing.my_pair" not in hr


async def test_the_todo_api_needs_a_caller_and_answers_problem_details(client):
    response = await client.get("/api/v1/me/todo")
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == 401


async def test_an_empty_list_says_so_helpfully(app):
    org = await make_org("quiet")
    user = await make_user(org, "psw", password=PASSWORD)
    async with http_client(app) as client:
        assert (await client.get("/api/v1/me/todo", headers=user.headers)).json() == {"items": []}
        await sign_in(client, user.email)
        page = (await client.get("/")).text
    assert "Nothing needs you right now" in page and 'href="/community"' in page


# --- people search and filters --------------------------------------------------------------

async def test_people_are_found_by_name_role_team_and_being_in_post(client, north):
    async def names(headers, **params):
        response = await client.get("/api/v1/people", headers=headers, params=params)
        assert response.status_code == 200, response.text
        return sorted(p["given_name"] or p["employee_number"] for p in response.json())

    headers = north["lead"].headers
    oak = await Team.select(Team.id).where(Team.name == "Oak Ward").first()
    assert await names(headers, q="ni") == ["Nia"]
    assert await names(headers, q="E-Pa") == ["Pat"]
    assert await names(headers, q="pat okaf") == ["Pat"]  # every word must match
    assert await names(headers, q="NIA") == ["Nia"]
    assert await names(headers, q="nobody") == []
    assert await names(headers, q="100%") == []  # a wildcard typed in matches nothing extra
    assert await names(headers, role="psw") == ["Leo", "Nia", "Pat"]
    assert await names(headers, role="supervisor") == ["Sam"]
    assert await names(headers, team_id=str(oak["id"])) == ["Lena", "Leo", "Sam"]
    assert await names(headers, team_id=str(oak["id"]), in_post="yes") == ["Lena", "Sam"]
    assert await names(headers, in_post="no") == ["Leo"]
    await Person(organisation=north["org"].id, employee_number="E-Zoe", given_name="Zoe").save()  # no assignment
    assert await names(headers, in_post="no") == ["Leo", "Zoe"]
    assert await names(headers, in_post="yes", q="zoe") == []
    assert await names(headers, role="psw", in_post="yes", q="a") == ["Nia", "Pat"]


async def test_bad_filters_and_filters_beyond_the_callers_rights_are_refused(client, north):
    bad = await client.get("/api/v1/people", headers=north["lead"].headers, params={"in_post": "maybe"})
    assert bad.status_code == 400 and bad.headers["content-type"].startswith("application/problem+json")
    # Supervisors may list people but not read assignments, so not filter by them either.
    sam = await client.get("/api/v1/people", headers=north["sam"].headers, params={"in_post": "yes"})
    assert sam.status_code == 403
    assert (await client.get("/api/v1/people", headers=north["sam"].headers, params={"q": "pat"})).status_code == 200


async def test_the_people_page_searches_filters_and_links_to_each_person(app, north):
    async with http_client(app) as client:
        await sign_in(client, north["lead"].email)
        page = await client.get("/people", params={"q": "pat"})
        assert page.status_code == 200
        assert f'href="/people/{person_id(north["pat"])}"' in page.text and "Nia" not in page.text
        assert 'value="pat"' in page.text  # the search stays in the box
        assert 'name="team_id"' in page.text and 'name="in_post"' in page.text
        none = await client.get("/people", params={"q": "zebedee"})
        assert "No one matches" in none.text
        bad = await client.get("/people", params={"team_id": "not-a-team"})
        assert bad.status_code == 400 and "team_id: choose one from the list" in bad.text


# --- a person's page ---------------------------------------------------------------------------

async def sections(client, viewer, person) -> dict[str, list]:
    response = await client.get(f"/api/v1/people/{person_id(person)}/overview", headers=viewer.headers)
    assert response.status_code == 200, response.text
    return {s["kind"]: [(f["label"], f["value"]) for f in s["facts"]] for s in response.json()["sections"]}


async def test_a_peer_lead_sees_assignments_pair_and_supervision_but_not_cpd(client, north):
    seen = await sections(client, north["lead"], north["pat"])
    assert set(seen) == {"assignments", "pairing", "supervision"}
    assert seen["pairing"] == [("Buddy", f"Nia, since {TODAY}")]
    assert ("1:1 supervision with Sam", "every 28 days") in seen["supervision"]
    assert seen["assignments"][0][0] == "Peer Support Worker (current)"


async def test_hr_sees_assignments_and_cpd_but_not_supervision_or_pairs(client, north):
    seen = await sections(client, north["hr"], north["pat"])
    assert set(seen) == {"assignments", "cpd"}
    assert [value for label, value in seen["cpd"] if label == "Safeguarding adults"][0].startswith("expired (expires ")
    assert ("CPD hours in the last 12 months", "0") in seen["cpd"]


async def test_a_supervisor_sees_their_supervisees_supervision_and_cpd_and_nothing_of_others(client, north):
    assert set(await sections(client, north["sam"], north["pat"])) == {"supervision", "cpd"}
    assert await sections(client, north["sam"], north["nia"]) == {}


async def test_reading_supervision_and_cpd_on_a_person_page_is_audited(client, north):
    await sections(client, north["hr"], north["pat"])
    reads = await AuditLog.select(AuditLog.table_name, AuditLog.account).where(
        (AuditLog.action == "read") & (AuditLog.record_id == person_id(north["pat"])))
    assert {(r["table_name"], r["account"]) for r in reads} >= {
        ("cpd_record", north["hr"].principal.account_id), ("assignment", north["hr"].principal.account_id)}
    await sections(client, north["lead"], north["pat"])
    assert await AuditLog.exists().where(
        (AuditLog.action == "read") & (AuditLog.table_name == "supervision_session")
        & (AuditLog.record_id == person_id(north["pat"])) & (AuditLog.account == north["lead"].principal.account_id))


async def test_a_person_in_another_organisation_is_not_found(app, north):
    south = await make_org("south")
    south_lead = await make_user(south, "peer_lead", "hr", password=PASSWORD)
    async with http_client(app) as client:
        api = await client.get(f"/api/v1/people/{person_id(north['pat'])}/overview", headers=south_lead.headers)
        assert api.status_code == 404 and api.headers["content-type"].startswith("application/problem+json")
        await sign_in(client, south_lead.email)
        page = await client.get(f"/people/{person_id(north['pat'])}")
        assert page.status_code == 404 and "Pat" not in page.text


async def test_a_psw_cannot_open_people_pages(app, north):
    async with http_client(app) as client:
        api = await client.get(f"/api/v1/people/{person_id(north['nia'])}/overview", headers=north["pat"].headers)
        assert api.status_code == 403
        await sign_in(client, north["pat"].email)
        assert (await client.get(f"/people/{person_id(north['nia'])}")).status_code == 403


async def test_the_person_page_shows_the_sections_the_viewer_may_see(app, north):
    async with http_client(app) as client:
        await sign_in(client, north["lead"].email)
        page = await client.get(f"/people/{person_id(north['pat'])}")
    assert page.status_code == 200
    assert "<h1>Pat" in page.text
    for kind in ("assignments", "pairing", "supervision"):
        assert f'data-section="{kind}"' in page.text
    assert 'data-section="cpd"' not in page.text

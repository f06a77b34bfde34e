"""Access control, as a table over every API route (new routes are covered when added).

- no credentials, a made-up token, a revoked token: 401 everywhere;
- a role without the route's declared right: 403;
- another organisation's record, even with every role: 404 (its existence is never revealed).
"""

from __future__ import annotations

import re

import pytest
from litestar.routes import HTTPRoute

from peerwork.app import create_app
from peerwork.settings import load_settings
from peerwork.workforce import accounts
from peerwork.workforce.access import RIGHTS, ROLES
from peerwork.workforce.importer import import_assignments
from peerwork.workforce.tables import Assignment, Person, Team
from tests.factories import csv_text, make_all_roles_user, make_org, make_user


def api_routes() -> list[tuple[str, str, dict]]:
    routes = []
    for route in create_app(load_settings()).routes:
        if not isinstance(route, HTTPRoute) or not route.path.startswith("/api/"):
            continue
        for handler in route.route_handlers:
            for method in sorted(handler.http_methods - {"HEAD", "OPTIONS"}):
                routes.append((method, route.path, handler.opt))
    return routes


ROUTES = api_routes()
ROUTE_IDS = [f"{m} {p}" for m, p, _ in ROUTES]

# A request that would succeed for a caller with the right; keyed by method and route path.
SAMPLE_BODIES: dict[tuple[str, str], dict] = {
    ("POST", "/api/v1/teams"): {"json": {"name": "Crisis Café"}},
    ("PATCH", "/api/v1/teams/{team_id:uuid}"): {"json": {"name": "Renamed"}},
    ("POST", "/api/v1/people"): {"json": {"employee_number": "NEW1"}},
    ("PATCH", "/api/v1/people/{person_id:uuid}"): {"json": {"given_name": "Sam"}},
    ("POST", "/api/v1/assignments"): {"json": "ASSIGNMENT"},
    ("PATCH", "/api/v1/assignments/{assignment_id:uuid}"): {"json": {"fte": "0.5"}},
    ("POST", "/api/v1/imports/assignments"): {"files": {"data": ("a.csv", csv_text("Z1,Z9,PSW,Y,4,,2024-01-01,,,").encode(), "text/csv")}},
    ("POST", "/api/v1/accounts"): {"json": {"email": "new.person@example.org", "roles": ["psw"]}},
    ("PATCH", "/api/v1/accounts/{account_id:uuid}"): {"json": {"display_name": "Renamed"}},
    ("POST", "/api/v1/tokens"): {"json": {"label": "script"}},
}


def test_every_api_route_declares_a_known_right():
    undeclared = [f"{m} {p}" for m, p, opt in ROUTES if opt.get("right") not in {*RIGHTS, "self"}]
    assert undeclared == [], "declare opt={'right': ...} on these routes"
    assert len(ROUTES) >= 20


def test_every_writing_route_has_a_sample_request_here():
    missing = [f"{m} {p}" for m, p, _ in ROUTES if m in {"POST", "PATCH", "PUT"} and (m, p) not in SAMPLE_BODIES]
    assert missing == [], "add a SAMPLE_BODIES entry for these routes"


@pytest.fixture
async def world():
    """North owns one of everything; south is the caller from another organisation."""
    north, south = await make_org("north"), await make_org("south")
    north_admin = await make_user(north, "admin")
    await import_assignments(north.id, csv_text("N1,EN1,Peer Support Worker,Y,4,Willow Ward,2022-01-01,,,").encode())
    person = await Person.select(Person.id).where(Person.organisation == north.id).first()
    team = await Team.select(Team.id).where(Team.organisation == north.id).first()
    assignment = await Assignment.select(Assignment.id).where(Assignment.organisation == north.id).first()
    token = await accounts.issue_api_token(north_admin.principal.account_id, north.id, "north's")
    ids = {
        "team_id": team["id"], "person_id": person["id"], "assignment_id": assignment["id"],
        "account_id": north_admin.principal.account_id, "token_id": token.id,
    }
    south_users = {role: await make_user(south, role) for role in ROLES}
    return {"north": north, "ids": ids, "south_all": await make_all_roles_user(south), "south": south_users,
            "north_person": person["id"]}


def fill(path: str, ids: dict) -> str:
    def value(match: re.Match) -> str:
        name = match.group(1)
        assert name in ids, f"no test record for path parameter {name!r}: add one to the world fixture"
        return str(ids[name])

    return re.sub(r"\{(\w+):\w+\}", value, path)


def request_kwargs(method: str, path: str, person_id) -> dict:
    sample = SAMPLE_BODIES.get((method, path), {})
    if sample.get("json") == "ASSIGNMENT":
        return {"json": {"person_id": str(person_id), "assignment_number": "X1", "position_title": "PSW",
                         "lived_experience_role": True, "start_date": "2024-01-01"}}
    return dict(sample)


@pytest.mark.parametrize(("method", "path", "opt"), ROUTES, ids=ROUTE_IDS)
async def test_without_valid_credentials_every_route_is_401(client, world, method, path, opt):
    url = fill(path, world["ids"])
    revoked = await make_user(world["north"], "admin", email="revoked@north.example")
    await accounts.revoke_api_token(revoked.principal, (await accounts.list_api_tokens(revoked.principal))[0]["id"])
    for headers in ({}, {"Authorization": "Bearer pw_madeup"}, {"Authorization": "Basic abc"}, revoked.headers):
        response = await client.request(method, url, headers=headers, **request_kwargs(method, path, world["north_person"]))
        assert response.status_code == 401, (headers, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert "EN1" not in response.text


@pytest.mark.parametrize(("method", "path", "opt"), ROUTES, ids=ROUTE_IDS)
async def test_a_role_without_the_right_gets_403_and_with_it_does_not(client, world, method, path, opt):
    right = opt["right"]
    for role, user in world["south"].items():
        # South's own records, so that "allowed" requests can succeed.
        ids = {**world["ids"]}
        response = await client.request(method, fill(path, ids), headers=user.headers,
                                         **request_kwargs(method, path, world["north_person"]))
        allowed = right == "self" or role in RIGHTS[right]
        if allowed:
            assert response.status_code not in (401, 403, 500), (role, response.status_code, response.text)
        else:
            assert response.status_code == 403, (role, response.text)
            assert response.json()["detail"].startswith("Your role does not allow this")


@pytest.mark.parametrize(
    ("method", "path", "opt"), [r for r in ROUTES if "{" in r[1]], ids=[i for i in ROUTE_IDS if "{" in i]
)
async def test_another_organisations_records_are_404_even_with_every_role(client, world, method, path, opt):
    response = await client.request(method, fill(path, world["ids"]), headers=world["south_all"].headers,
                                    **request_kwargs(method, path, world["north_person"]))
    assert response.status_code == 404, response.text
    body = response.json()
    assert body["status"] == 404 and body["title"] == "Not found"
    assert "north" not in response.text.lower() and "EN1" not in response.text


async def test_lists_only_ever_show_the_callers_organisation(client, world):
    south_all = world["south_all"]
    for path in ("/api/v1/people", "/api/v1/teams", "/api/v1/assignments", "/api/v1/accounts", "/api/v1/tokens", "/api/v1/audit"):
        response = await client.get(path, headers=south_all.headers)
        assert response.status_code == 200, path
        text = response.text
        assert "EN1" not in text and "Willow" not in text and "north" not in text.lower(), path


async def test_an_import_cannot_touch_another_organisations_records(client, world):
    # The same assignment number in south's file creates south's own record, never north's.
    files = {"data": ("a.csv", csv_text("N1,EN1,Hijack,Y,4,,2022-01-01,,,").encode(), "text/csv")}
    response = await client.post("/api/v1/imports/assignments", files=files, headers=world["south_all"].headers)
    assert response.status_code == 200 and response.json()["created"] == 1
    north_row = await Assignment.select(Assignment.position_title).where(
        Assignment.organisation == world["north"].id
    ).first()
    assert north_row["position_title"] == "Peer Support Worker"

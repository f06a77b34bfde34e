"""Hostile input answers a 4xx problem, never a 500: NUL characters, deep nesting, huge
integers, and a file field sent as plain text."""

from __future__ import annotations

import re

import pytest

from tests.factories import make_org, make_user

PROBLEM = "application/problem+json"


@pytest.fixture
async def admin(client):
    org = await make_org()
    return await make_user(org, "admin")


def assert_problem(response, status: int = 400) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    return response.json()


@pytest.mark.parametrize("path, body", [
    ("/api/v1/community/series", {
        "kind": "co_reflection", "title": "a\u0000b", "rrule": "FREQ=MONTHLY;BYDAY=1TU",
        "start_date": "2030-01-01", "start_time": "13:00:00", "end_time": "14:30:00", "capacity": 12}),
    ("/api/v1/people", {"employee_number": "E1", "given_name": "a\u0000b"}),
    ("/api/v1/teams", {"name": "x\u0000"}),
])
async def test_a_nul_character_in_a_text_field_is_refused(client, admin, path, body):
    problem = assert_problem(await client.post(path, json=body, headers=admin.headers))
    assert "contains a NUL character" in problem["detail"]


async def test_a_nul_character_in_a_query_parameter_is_refused(client, admin):
    response = await client.get("/api/v1/people", params={"q": "1\u0000"}, headers=admin.headers)
    assert_problem(response)


def text_parameter_routes(app) -> list[tuple[str, str]]:
    """``(method, path)`` for every route with a text path parameter (a slug, a private link's
    token), that parameter holding a NUL and any other parameter something plausible."""
    fill = {"uuid": "00000000-0000-0000-0000-000000000001", "int": "1"}
    found = []
    for route in app.routes:
        if ":str}" not in route.path:
            continue
        path = re.sub(r"\{\w+:(\w+)\}", lambda m: "a%00b" if m[1] == "str" else fill.get(m[1], "x"), route.path)
        found.extend((str(method), path) for method in sorted(getattr(route, "methods", ())) if method in {"GET", "POST"})
    return found


async def test_a_nul_character_in_a_path_parameter_is_refused_on_every_route(client, app, admin):
    # PostgreSQL refused these at the lookup (a 500): an organisation's jobs page, a network,
    # a single sign-on start, a network member to remove.
    routes = text_parameter_routes(app)
    assert ("GET", "/jobs/a%00b") in routes and ("GET", "/api/v1/networks/a%00b") in routes and len(routes) > 20
    for method, path in routes:
        response = await client.request(method, path, headers=admin.headers, follow_redirects=False)
        if method == "POST" and not path.startswith("/api/"):  # a page form without its CSRF token
            assert response.status_code == 403, (method, path, response.status_code)
            continue
        assert response.status_code == 400, (method, path, response.status_code, response.text[:300])
        assert "contains a NUL character" in response.text, (method, path)
    api = await client.get("/api/v1/networks/a%00b/figures", headers=admin.headers)
    assert assert_problem(api)["errors"] == [{"field": "network_slug", "problem": "contains a NUL character"}]


async def test_json_nested_a_thousand_levels_deep_is_refused(client, admin):
    body = "[" * 1000 + "]" * 1000
    response = await client.post("/api/v1/teams", content=body, headers={**admin.headers, "content-type": "application/json"})
    assert_problem(response)
    body = '{"name": ' + '{"a": ' * 1000 + "1" + "}" * 1000 + "}"
    response = await client.post("/api/v1/teams", content=body, headers={**admin.headers, "content-type": "application/json"})
    assert_problem(response)


@pytest.mark.parametrize("path, name", [
    ("/api/v1/people", "offset"), ("/api/v1/people", "limit"), ("/api/v1/assignments", "offset"),
    ("/api/v1/assignments", "limit"), ("/api/v1/audit", "limit"),
])
async def test_an_offset_or_limit_out_of_range_is_refused(client, admin, path, name):
    response = await client.get(path, params={name: "10000000000000000000"}, headers=admin.headers)
    assert_problem(response)


async def test_a_body_that_is_not_json_is_refused(client, admin):
    response = await client.post("/api/v1/teams", content=b"\xff{", headers={**admin.headers, "content-type": "application/json"})
    assert "not valid JSON" in assert_problem(response)["detail"]


@pytest.mark.parametrize("path", [
    "/api/v1/imports/assignments",
    "/api/v1/cpd/records/00000000-0000-0000-0000-000000000001/evidence",
])
async def test_a_file_field_sent_as_plain_text_is_refused(client, admin, path):
    response = await client.post(path, files={"data": (None, b"hello")}, headers=admin.headers)
    problem = assert_problem(response)
    assert "data" in problem["detail"]


async def test_a_page_number_out_of_range_is_refused_on_the_people_page(client):
    from tests.integration.web.test_forms import signed_in

    await signed_in(client, "admin")
    assert (await client.get("/people", params={"page": "2"})).status_code == 200
    response = await client.get("/people", params={"page": str(10**22)})
    assert response.status_code == 400


async def test_a_nul_character_in_a_page_form_is_refused(client):
    from tests.integration.web.test_forms import post_form, signed_in

    await signed_in(client, "admin")
    course = {"title": "Peer\u0000support", "hours": "6", "provider": "", "renewal_months": "", "kind": "core"}
    response = await post_form(client, "/cpd/courses", "/cpd/courses", course)
    assert response.status_code == 400
    assert "contains a NUL character" in response.text

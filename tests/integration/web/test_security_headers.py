"""Every response, pages and API alike, carries the security headers (one ``before_send`` hook,
``core.headers``), and cookies set over https are Secure (the CSRF cookie included)."""

from __future__ import annotations

import re

import pytest
from litestar import HttpMethod

from peerwork.core.headers import CSP
from tests.conftest import http_client
from tests.factories import ROLES, make_org, make_user
from tests.integration.web.test_forms import signed_in

EXPECTED = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}


def assert_headers(response, csp: str = CSP) -> None:
    for name, value in {**EXPECTED, "content-security-policy": csp}.items():
        assert response.headers.get_list(name) == [value], (response.request.url, name, response.headers)


def test_the_policy_allows_only_this_site():
    for part in ("default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
                 "frame-ancestors 'none'", "form-action 'self'", "base-uri 'none'", "object-src 'none'"):
        assert part in CSP.split("; ")
    assert "unsafe-inline" not in CSP and "unsafe-eval" not in CSP


def page_paths(app) -> list[str]:
    """Every GET route outside the API, its path parameters filled with something plausible."""
    fill = {"uuid": "00000000-0000-0000-0000-000000000000", "str": "x", "int": "1", "path": "x"}
    paths = set()
    for route in app.routes:
        if route.path.startswith(("/api/", "/schema")) or route.path == "/health":
            continue
        methods = getattr(route, "methods", set())
        if "GET" not in methods and HttpMethod.GET not in methods:
            continue
        path = re.sub(r"\{\w+:(\w+)\}", lambda m: fill.get(m[1], "x"), route.path)
        paths.add(path)
    return sorted(paths)


async def test_every_page_carries_the_headers_signed_in(client, app):
    await signed_in(client, *ROLES)
    paths = page_paths(app)
    assert "/" in paths and "/retention" in paths and "/community" in paths and len(paths) > 30
    statuses = {}
    for path in paths:
        response = await client.get(path, follow_redirects=False)
        statuses[path] = response.status_code
        assert response.status_code < 500, (path, response.text)
        assert_headers(response)
    # Most pages really rendered (not only redirects and not-founds).
    assert sum(1 for status in statuses.values() if status == 200) > 20, statuses


async def test_public_pages_api_and_not_found_carry_the_headers(client, app):
    for path in ("/login", "/password/reset", "/invitations/not-a-token", "/application/not-a-token",
                 "/calendar/not-a-secret.ics", "/static/peerwork.css", "/health", "/no-such-page", "/api/v1/people",
                 "/schema/openapi.json"):
        assert_headers(await client.get(path, follow_redirects=False))
    user = await make_user(await make_org(), "admin")
    api = await client.get("/api/v1/people", headers=user.headers)
    assert api.status_code == 200 and api.headers["content-type"].startswith("application/json")
    assert_headers(api)
    problem = await client.post("/api/v1/teams", json={}, headers=user.headers)
    assert problem.status_code == 400
    assert_headers(problem)


async def test_the_api_reference_may_load_its_viewer_but_nothing_else_loosens():
    from peerwork.core.headers import DOCS_CSP, policy_for

    assert policy_for("/schema") == DOCS_CSP and policy_for("/schema/scalar") == DOCS_CSP
    assert policy_for("/schema/openapi.json") == CSP and policy_for("/schemas") == CSP
    assert "frame-ancestors 'none'" in DOCS_CSP and "base-uri 'none'" in DOCS_CSP


def csrf_cookie(response) -> str:
    [cookie] = [c for c in response.headers.get_list("set-cookie") if c.startswith("peerwork_csrf=")]
    return cookie


@pytest.mark.parametrize("scheme, secure", [("https", True), ("http", False)])
async def test_the_csrf_cookie_is_secure_over_https(app, settings, scheme, secure):
    if settings.secure_cookies and not secure:
        pytest.skip("PEERWORK_SECURE_COOKIES makes every cookie Secure")
    async with http_client(app, base_url=f"{scheme}://testserver.local") as browser:
        response = await browser.get("/login")
        assert response.status_code == 200
        attributes = [a.strip().lower() for a in csrf_cookie(response).split(";")]
        assert ("secure" in attributes) is secure
        assert attributes.count("secure") <= 1 and "httponly" in attributes
        assert_headers(response)

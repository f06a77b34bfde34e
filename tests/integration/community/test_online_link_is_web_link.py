"""A space's online link is an http(s) address: a ``javascript:`` URL is refused by the API and
the page alike (one rule, ``core.schema.WebLink``), and a real link still works."""

from __future__ import annotations

import pytest

from peerwork.community.tables import EventSeries as Series
from tests.factories import make_org, make_user
from tests.integration.web.test_forms import post_form, signed_in

BODY = {"kind": "co_reflection", "title": "Tuesday reflection", "rrule": "FREQ=MONTHLY;BYDAY=1TU",
        "start_date": "2030-01-01", "start_time": "13:00:00", "end_time": "14:30:00", "capacity": 12}
FORM = {"kind": "co_reflection", "title": "Tuesday reflection", "pattern": "monthly", "ordinal": "1",
        "weekday": "TU", "start_date": "2030-01-01", "start_time": "13:00", "end_time": "14:30", "capacity": "12",
        "location": ""}
HOSTILE = ["javascript:alert(1)", "JavaScript:alert(1)", " javascript:alert(1)", "data:text/html,<b>x</b>",
           "vbscript:msgbox(1)", "https://", "https:// x", "//evil.example/x", "https://user@evil.example/"]


@pytest.mark.parametrize("link", HOSTILE)
async def test_the_api_refuses_a_link_that_is_not_http(client, link):
    lead = await make_user(await make_org(), "peer_lead")
    response = await client.post("/api/v1/community/series", json={**BODY, "online_link": link}, headers=lead.headers)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "online_link" in response.json()["detail"]
    assert await Series.count() == 0


async def test_a_change_cannot_set_a_javascript_link(client):
    lead = await make_user(await make_org(), "peer_lead")
    made = await client.post("/api/v1/community/series", json=BODY, headers=lead.headers)
    assert made.status_code == 201, made.text
    change = await client.patch(f"/api/v1/community/series/{made.json()['id']}", headers=lead.headers,
                                json={"from_date": "2030-01-01", "online_link": "javascript:alert(1)"})
    assert change.status_code == 400, change.text
    assert await Series.count().where(Series.online_link.is_not_null()) == 0


async def test_the_page_refuses_a_javascript_link(client):
    await signed_in(client, "peer_lead")
    page = await post_form(client, "/community/series/new", "/community/series",
                           {**FORM, "online_link": "javascript:alert(1)"})
    assert page.status_code == 422, page.text
    assert "There is a problem" in page.text and "online_link" in page.text
    assert 'href="javascript:' not in page.text
    assert await Series.count() == 0


@pytest.mark.parametrize("link", ["https://meet.example.org/room?pwd=abc#x", "http://localhost:8080/r", "HTTPS://A.B"])
async def test_http_links_are_still_accepted(client, link):
    lead = await make_user(await make_org(), "peer_lead")
    made = await client.post("/api/v1/community/series", json={**BODY, "online_link": link}, headers=lead.headers)
    assert made.status_code == 201, made.text
    assert made.json()["online_link"] == link


async def test_the_page_still_accepts_an_https_link_and_no_link(client):
    await signed_in(client, "peer_lead")
    for link in ("https://meet.example.org/room", ""):
        page = await post_form(client, "/community/series/new", "/community/series", {**FORM, "online_link": link})
        assert page.status_code == 303, page.text
    assert sorted((s["online_link"] or "") for s in await Series.select(Series.online_link)) == \
        ["", "https://meet.example.org/room"]

"""The debrief pages: the header link on every page for those who may ask, asking in one more
click, taking a request, the rota page and the figures page, each only for its roles."""

from __future__ import annotations

import re

from peerwork.debrief import rota
from peerwork.debrief.tables import DebriefRequest
from peerwork.web.shell import nav_for
from tests.factories import PASSWORD, make_user
from tests.integration.debrief.helpers import make_team
from tests.integration.workforce.test_auth import csrf_from, sign_in


async def _as(client, user) -> None:
    client.cookies.clear()
    response = await sign_in(client, user.email, PASSWORD)
    assert response.status_code in (302, 303), response.text


async def test_ask_from_the_header_link_then_one_click_and_a_debriefer_takes_it(client):
    team = await make_team(password=PASSWORD)
    await _as(client, team.asker)
    home = await client.get("/")
    assert 'href="/debrief/ask">Ask for a debrief</a>' in home.text
    ask = await client.get("/debrief/ask")
    buttons = re.findall(r'<button type="submit" name="reason" value="(\w+)">([^<]+)</button>', ask.text)
    assert [label for _, label in buttons] == ["After a difficult shift", "After an incident",
                                              "After a racist incident"]
    sent = await client.post("/debrief/ask", data={"_csrf_token": csrf_from(ask.text), "reason": "difficult_shift",
                                                   "note": "Long night"}, follow_redirects=False)
    assert sent.status_code == 303 and "done=asked" in sent.headers["location"]
    page = await client.get(sent.headers["location"])
    assert "Long night" in page.text and "Cancel my request" in page.text

    request_path = sent.headers["location"].split("?")[0]
    await _as(client, team.debriefers[0])
    listed = await client.get("/debrief")
    assert request_path in listed.text and "Long night" not in listed.text
    shown = await client.get(request_path)
    assert "A colleague" in shown.text and "Long night" not in shown.text and "asker" not in shown.text
    taken = await client.post(f"{request_path}/accept", data={
        "_csrf_token": csrf_from(shown.text), "start_date": re.search(r'name="start_date" type="date" value="([^"]+)"',
                                                                      shown.text).group(1),
        "start_time": re.search(r'name="start_time" type="time" value="([^"]+)"', shown.text).group(1),
        "minutes": "30"}, follow_redirects=False)
    assert taken.status_code == 303, taken.text
    mine = await client.get(taken.headers["location"])
    assert "Long night" in mine.text and "asker" in mine.text

    await _as(client, team.debriefers[1])
    late = await client.get(request_path)
    assert "Another debriefer has already taken this request." in late.text
    again = await client.post(f"{request_path}/accept", data={"_csrf_token": csrf_from(late.text)})
    assert again.status_code == 409 and "Already taken" in again.text
    row = await DebriefRequest.select(DebriefRequest.accepted_by).first()
    assert row["accepted_by"] == team.debriefers[0].principal.account_id


async def test_the_rota_and_figures_pages_are_for_their_roles_only(client):
    team = await make_team(password=PASSWORD)
    hr = await make_user(team.org, "hr", email="hr@north.example", password=PASSWORD)
    await _as(client, team.lead)
    page = await client.get("/debrief/rota")
    assert page.status_code == 200 and "debriefer0" in page.text
    added = await client.post("/debrief/rota", data={
        "_csrf_token": csrf_from(page.text), "day": rota.today().isoformat(),
        "account_id": str(team.bystander.principal.account_id)}, follow_redirects=False)
    assert added.status_code == 303
    assert team.bystander.principal.account_id in await rota.on_call(team.org.id, rota.today())
    assert (await client.get("/debrief/figures")).status_code == 200

    await _as(client, team.asker)
    assert (await client.get("/debrief/rota")).status_code == 403
    assert (await client.get("/debrief/figures")).status_code == 403
    client.cookies.clear()
    assert (await client.get("/debrief/ask", follow_redirects=False)).status_code in (302, 303)  # signed out
    # HR finds the figures from the menu, and is not offered the header link (not a peer role).
    assert ("/debrief", "Debrief") in nav_for(hr.principal) and not hr.principal.can("debrief:ask")
    assert ("/debrief", "Debrief") in nav_for(team.asker.principal)

"""A peer worker asks for a debrief from a page's header link in two clicks; the debriefer on
call that day (put on the rota by the peer lead) takes it and sees who asked and why."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import CreatedAccount, sign_in

pytestmark = pytest.mark.e2e


def _me(base: str, token: str) -> dict:
    request = urllib.request.Request(f"{base}/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read().decode())


def test_ask_in_two_clicks_and_the_debriefer_on_call_takes_it(
    live_server: str, new_page: Callable[[], Page], create_account: Callable[..., CreatedAccount],
) -> None:
    lead_account, asker_account, debriefer_account = (create_account(r) for r in ("peer_lead", "psw", "psw"))
    asker_name = _me(live_server, asker_account.api_token)["display_name"]

    # The peer lead puts the debriefer on today's rota.
    lead = sign_in(new_page(), lead_account.email, lead_account.password)
    lead.goto("/debrief/rota")
    lead.get_by_label("Person").select_option(_me(live_server, debriefer_account.api_token)["account_id"])
    lead.get_by_role("button", name="Add to the rota").click()
    expect(lead.get_by_role("status")).to_contain_text("Added to the rota")

    # From any page: the header link, then the reason. Two clicks.
    asker = sign_in(new_page(), asker_account.email, asker_account.password)
    asker.goto("/training")
    asker.get_by_role("link", name="Ask for a debrief").click()
    asker.get_by_role("button", name="After a difficult shift").click()
    expect(asker.get_by_role("status")).to_contain_text("sent to today's on-call peer debriefers")
    expect(asker.get_by_text("Waiting for a debriefer")).to_be_visible()
    request_path = asker.url.removeprefix(live_server).partition("?")[0]

    # The debriefer finds it waiting, sees only that a colleague asked, and takes it.
    debriefer = sign_in(new_page(), debriefer_account.email, debriefer_account.password)
    debriefer.goto("/debrief")
    # Other tests on this server may have colleagues waiting too: open this asker's request.
    debriefer.locator("main").locator(f'a[href="{request_path}"]').filter(has_text="A colleague asked at").click()
    expect(debriefer.get_by_text("A colleague (you will see who when you take it)")).to_be_visible()
    expect(debriefer.locator("main").get_by_text(asker_name)).to_have_count(0)
    debriefer.get_by_role("button", name="Take it").click()
    expect(debriefer.get_by_role("status")).to_contain_text("You have taken this debrief")
    expect(debriefer.get_by_text("After a difficult shift")).to_be_visible()
    expect(debriefer.locator("main").get_by_text(asker_name, exact=True)).to_be_visible()

    asker.reload()
    expect(asker.get_by_text("Taken", exact=True)).to_be_visible()

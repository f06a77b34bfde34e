"""A peer lead sets up 1:1 supervision in the browser and checks who is going without."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import blocking_violations, demo_email, fetch

pytestmark = pytest.mark.e2e


def test_peer_lead_creates_an_agreement_accepts_sessions_and_sees_compliance(
    signed_in: Callable[[str], Page], create_account, live_server: str,
) -> None:
    supervisee = create_account("psw")
    me = fetch(f"{live_server}/api/v1/me", bearer=supervisee.api_token).json()
    page = signed_in(demo_email("northfield-nhs", "peer_lead"))
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Supervision", exact=True).click()
    page.get_by_role("link", name="Set up a supervision agreement").click()
    assert blocking_violations(page) == []

    page.get_by_label("Supervisor").select_option(label="Isaac Green")  # the demo peer supervisor
    page.get_by_label("Supervisee (peer support worker)").select_option(value=me["account_id"])
    page.get_by_label("Starting").fill((date.today() + timedelta(days=3)).isoformat())
    page.get_by_label("Preferred day").select_option(label="Wednesday")
    page.get_by_role("button", name="Create and propose sessions").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text(f"supervising {me['display_name']}")
    proposed = page.locator("#proposed tbody tr")
    expect(proposed.first).to_be_visible()
    count = proposed.count()
    assert count >= 5  # about six months of four-weekly sessions
    assert "Wed" in proposed.first.inner_text()
    assert blocking_violations(page) == []

    page.get_by_role("button", name="Accept all proposed sessions").click()
    expect(page.locator("#proposed")).to_have_count(0)
    expect(page.locator("#sessions tbody tr")).to_have_count(count)
    expect(page.locator("#sessions tbody tr").first).to_contain_text("scheduled")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Supervision compliance").click()
    rows = page.locator("#compliance tbody tr", has_text=me["display_name"])
    expect(rows.first).to_be_visible()
    assert any("Never" in rows.nth(i).inner_text() and "None booked" not in rows.nth(i).inner_text()
               for i in range(rows.count()))  # nothing held yet, sessions booked
    assert blocking_violations(page) == []

"""The network pages in a browser on the demo: the lead sees the network, the host's admin runs
it, HR sees what their organisation shares; axe finds no serious or critical problems."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from peerwork.demo import NETWORK
from tests.e2e.browser import blocking_violations, demo_email, sign_in

pytestmark = pytest.mark.e2e


def _no_axe_problems(page: Page, screen: str) -> None:
    problems = blocking_violations(page)
    assert not problems, f"axe found serious/critical problems on {screen} ({page.url}):\n" + "\n".join(problems)


def test_the_network_lead_reaches_the_network_from_the_menu(page: Page) -> None:
    sign_in(page, demo_email("northfield-nhs", "network_lead"))
    page.get_by_role("link", name="Networks").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Networks")
    _no_axe_problems(page, "networks list")
    page.get_by_role("link", name="Northfield Peer Network").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Northfield Peer Network")
    expect(page.locator("#retention")).to_contain_text("Network (pooled)")
    expect(page.locator("#supports")).to_contain_text("89%")
    expect(page.get_by_role("heading", name="Run the network")).to_have_count(0)
    _no_axe_problems(page, "network page (lead)")


def test_the_hosts_admin_sees_the_forms_that_run_the_network(page: Page) -> None:
    sign_in(page, demo_email("northfield-nhs", "admin"))
    page.goto(f"/networks/{NETWORK}")
    expect(page.get_by_role("heading", name="Run the network")).to_be_visible()
    expect(page.locator("#leads")).to_contain_text("Northfield")
    _no_axe_problems(page, "network page (host admin)")


def test_hr_sees_what_their_organisation_shares(page: Page) -> None:
    sign_in(page, demo_email("northfield-nhs", "hr"))
    page.goto(f"/networks/{NETWORK}/shared")
    expect(page.get_by_role("heading", level=1)).to_contain_text("shares")
    _no_axe_problems(page, "what we share")

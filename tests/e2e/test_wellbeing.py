"""In a browser: a peer worker writes their wellness plan, shares it with their supervisor, the
supervisor reads it, the peer worker withdraws it, and the supervisor can no longer read it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import sign_in

pytestmark = pytest.mark.e2e

WORDS = "Swimming on Saturday mornings keeps me steady"


def test_a_plan_shared_with_the_supervisor_and_withdrawn(page, new_page, create_account) -> None:
    psw, supervisor = create_account("psw"), create_account("supervisor")

    sign_in(page, psw.email, psw.password)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My wellbeing").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My wellbeing")
    page.get_by_label("What keeps me well").fill(WORDS)
    page.get_by_label("What helps when I am struggling").fill("A quiet room for ten minutes")
    page.get_by_role("button", name="Save my wellness plan").click()
    expect(page.get_by_role("status")).to_contain_text("Your wellness plan is saved.")
    expect(page.get_by_label("What keeps me well")).to_have_value(WORDS)

    share = page.locator("#share-plan")
    share.get_by_label("Or their work email").fill(supervisor.email)
    share.get_by_role("button", name="Share my wellness plan").click()
    expect(page.get_by_role("status")).to_contain_text("Shared")
    expect(page.locator("#shares")).to_contain_text("E2E supervisor")

    reader = new_page()
    sign_in(reader, supervisor.email, supervisor.password)
    reader.goto("/wellbeing/shared")
    reader.get_by_role("link", name="Wellness plan of E2E psw").click()
    expect(reader.get_by_role("heading", level=1)).to_have_text("Wellness plan: E2E psw")
    expect(reader.locator("#document")).to_contain_text(WORDS)
    shared_url = reader.url

    page.get_by_role("button", name="Withdraw wellness plan from E2E supervisor").click()
    expect(page.get_by_role("status")).to_contain_text("Withdrawn")
    expect(page.get_by_text("Nobody else can read your plan or passport.")).to_be_visible()

    reader.goto(shared_url)
    expect(reader.get_by_role("heading", level=1)).to_have_text("You do not have access to this page")
    expect(reader.locator("main")).not_to_contain_text(WORDS)
    reader.go_back()  # nothing kept: the page is fetched again (no-store), not shown from a cache
    expect(reader.locator("main")).not_to_contain_text(WORDS)
    reader.goto("/wellbeing/shared")
    expect(reader.get_by_text("Nobody has shared a plan or passport with you.")).to_be_visible()

"""axe-core finds no serious or critical problems on the wellbeing pages, on a phone (390 px)
and a desktop (1280 px), and they fit the phone's width: my wellbeing page empty, then with a
plan, a share and a check-in's suggestion, what is shared with me, and a shared plan."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import WIDTHS, assert_accessible, sign_in

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("width", WIDTHS)
def test_no_serious_axe_violations(page: Page, new_page, create_account, width: str) -> None:
    psw, supervisor = create_account("psw"), create_account("supervisor")
    page.set_viewport_size(WIDTHS[width])
    sign_in(page, psw.email, psw.password)
    page.goto("/wellbeing")
    assert_accessible(page, "my wellbeing (empty)", width)

    page.get_by_label("What keeps me well").fill("Time outdoors")
    page.get_by_role("button", name="Save my wellness plan").click()
    page.get_by_label("Agreed adjustments").fill("Flexible start time")
    page.get_by_role("button", name="Save my workplace adjustments passport").click()
    page.locator("#share-plan").get_by_label("Or their work email").fill(supervisor.email)
    page.locator("#share-plan").get_by_role("button", name="Share my wellness plan").click()
    page.get_by_label("Support").check()
    page.get_by_role("button", name="Check in").click()
    expect(page.locator("#suggestion")).to_contain_text("debrief")
    assert_accessible(page, "my wellbeing (plan, share, check-in)", width)

    reader = new_page()
    reader.set_viewport_size(WIDTHS[width])
    sign_in(reader, supervisor.email, supervisor.password)
    reader.goto("/wellbeing/shared")
    assert_accessible(reader, "shared with me", width)
    reader.get_by_role("link", name="Wellness plan of E2E psw").click()
    expect(reader.locator("#document")).to_contain_text("Time outdoors")
    assert_accessible(reader, "a shared plan", width)

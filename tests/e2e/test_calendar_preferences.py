"""The calendar and newsletter preferences page in a real browser: axe finds no serious or
critical problem at phone and desktop widths, nothing overflows, and a choice saves."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import blocking_violations, demo_email, sign_in

pytestmark = pytest.mark.e2e

PSW = demo_email("northfield-nhs", "psw")


@pytest.mark.parametrize("width", [390, 1280])
def test_the_choice_is_explained_accessible_and_saved(page: Page, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, PSW)
    page.goto("/community/preferences")
    expect(page.get_by_role("heading", level=1)).to_have_text("Calendar and newsletter")
    problems = blocking_violations(page)
    assert not problems, "axe found serious/critical problems:\n" + "\n".join(problems)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    page.get_by_label("Both").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Saved.")
    expect(page.get_by_label("Both")).to_be_checked()
    expect(page.locator("#now")).to_contain_text("bookings come both ways")
    page.get_by_label("Automatic (recommended)").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_label("Automatic (recommended)")).to_be_checked()

"""axe-core finds no serious or critical problems on retention by supports received and on
equality in retention (the demo organisation), on a phone and a desktop."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import WIDTHS, assert_accessible, demo_email, sign_in

pytestmark = pytest.mark.e2e

HR = demo_email("northfield-nhs", "hr")
PEER_LEAD = demo_email("northfield-nhs", "peer_lead")


def _by_support(page: Page) -> None:
    sign_in(page, PEER_LEAD)
    page.goto("/supports/retention")
    expect(page.get_by_role("heading", level=1)).to_have_text("Retention by supports received")


def _equality(page: Page) -> None:
    sign_in(page, HR)
    page.goto("/retention/equality")
    expect(page.get_by_role("heading", level=1)).to_have_text("Equality in retention")


SCREENS = {"retention-by-support": _by_support, "equality-in-retention": _equality}


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("screen", SCREENS)
def test_no_serious_axe_violations(page: Page, screen: str, width: str) -> None:
    page.set_viewport_size(WIDTHS[width])
    SCREENS[screen](page)
    assert_accessible(page, screen, width, fits=False)  # axe only: these pages were never held to the width

"""axe-core finds no serious or critical problems on the course evaluation pages (the demo
organisation's catalogue), on a phone and a desktop."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import WIDTHS, assert_accessible, demo_email, sign_in

pytestmark = pytest.mark.e2e

PEER_LEAD = demo_email("northfield-nhs", "peer_lead")


def _courses(page: Page) -> None:
    sign_in(page, PEER_LEAD)
    page.goto("/evaluation")
    expect(page.get_by_role("heading", level=1)).to_have_text("Course evaluation")


def _report(page: Page) -> None:
    _courses(page)
    page.get_by_role("link", name="Evaluation of").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Evaluation:")
    expect(page.get_by_role("heading", name="Response rates")).to_be_visible()


SCREENS = {"course-evaluation": _courses, "evaluation-report": _report}


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("screen", SCREENS)
def test_no_serious_axe_violations(page: Page, screen: str, width: str) -> None:
    page.set_viewport_size(WIDTHS[width])
    SCREENS[screen](page)
    assert_accessible(page, screen, width, fits=False)  # axe only: these pages were never held to the width

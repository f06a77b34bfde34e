"""axe-core finds no serious or critical problems on the debrief screens, on a phone (390 px)
and a desktop (1280 px), and they fit the phone's width: asking, the overview, a request just
made, the rota and the figures."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import WIDTHS, assert_accessible, demo_email, sign_in

pytestmark = pytest.mark.e2e

PSW = demo_email("northfield-nhs", "psw")
PEER_LEAD = demo_email("northfield-nhs", "peer_lead")


def _ask(page: Page) -> None:
    sign_in(page, PSW)
    page.goto("/debrief/ask")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ask for a debrief")


def _asked(page: Page) -> None:
    _ask(page)
    page.get_by_role("button", name="After an incident").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Debrief request")


def _overview(page: Page) -> None:
    sign_in(page, PEER_LEAD)
    page.goto("/debrief")
    expect(page.get_by_role("heading", level=1)).to_have_text("Debrief")


def _rota(page: Page) -> None:
    sign_in(page, PEER_LEAD)
    page.goto("/debrief/rota")
    expect(page.get_by_role("heading", level=1)).to_have_text("Debrief rota")


def _figures(page: Page) -> None:
    sign_in(page, PEER_LEAD)
    page.goto("/debrief/figures")
    expect(page.get_by_role("heading", level=1)).to_have_text("Debrief figures")


SCREENS = {"ask": _ask, "asked": _asked, "overview": _overview, "rota": _rota, "figures": _figures}


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("screen", SCREENS)
def test_no_serious_axe_violations(page: Page, screen: str, width: str) -> None:
    page.set_viewport_size(WIDTHS[width])
    SCREENS[screen](page)
    assert_accessible(page, screen, width)

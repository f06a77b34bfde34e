"""axe-core finds no serious or critical problems on the reflective spaces and retention screens."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import blocking_violations, book_first_open, demo_email, sign_in

pytestmark = pytest.mark.e2e

HR = demo_email("northfield-nhs", "hr")
PSW = demo_email("northfield-nhs", "psw")
PEER_LEAD = demo_email("northfield-nhs", "peer_lead")


def _community(page: Page) -> None:
    sign_in(page, PSW)
    page.goto("/community")
    expect(page.locator("ul.cards > li").first).to_be_visible()


def _occurrence_booked(page: Page) -> None:
    sign_in(page, PSW)
    page.goto("/community?kind=co_reflection")
    book_first_open(page, "Monthly co-reflection")
    expect(page.get_by_role("status")).to_contain_text("You are booked (confirmed).")


def _occurrence_booked_as_peer_lead(page: Page) -> None:
    # The peer lead's view adds the attendee list and the move and cancel forms.
    sign_in(page, PEER_LEAD)
    page.goto("/community?kind=co_reflection")
    book_first_open(page, "Monthly co-reflection")
    expect(page.get_by_role("status")).to_contain_text("You are booked (confirmed).")
    expect(page.get_by_role("table", name="People booked")).to_be_visible()


def _my_calendar_with_link(page: Page) -> None:
    sign_in(page, PSW)
    page.goto("/my-calendar")
    page.get_by_role("button", name="Make my calendar link").or_(
        page.get_by_role("button", name="Make a new link")).click()
    expect(page.get_by_label("Calendar link")).to_have_value(re.compile(r"/calendar/.+\.ics$"))


def _series_new(page: Page) -> None:
    sign_in(page, PEER_LEAD)
    page.goto("/community/series/new")
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up a reflective space")


def _retention(page: Page) -> None:
    sign_in(page, HR)
    page.goto("/retention")
    page.wait_for_function("() => { const i = document.querySelector('figure.chart img'); "
                           "return i && i.complete && i.naturalWidth > 0; }")


SCREENS = {
    "community": _community,
    "occurrence-booked": _occurrence_booked,
    "occurrence-booked-as-peer-lead": _occurrence_booked_as_peer_lead,
    "my-calendar-with-link": _my_calendar_with_link,
    "series-new": _series_new,
    "retention": _retention,
}


@pytest.mark.parametrize("screen", SCREENS)
def test_no_serious_axe_violations(page: Page, screen: str) -> None:
    SCREENS[screen](page)
    problems = blocking_violations(page)
    assert not problems, f"axe found serious/critical problems on {screen} ({page.url}):\n" + "\n".join(problems)

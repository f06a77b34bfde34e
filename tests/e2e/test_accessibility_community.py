"""axe-core finds no serious or critical problems on the reflective spaces and retention screens,
on a phone (390 px) and a desktop (1280 px); the reflective spaces screens fit the phone's width."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import WIDTHS, assert_accessible, demo_email, sign_in

pytestmark = pytest.mark.e2e

HR = demo_email("northfield-nhs", "hr")
PSW = demo_email("northfield-nhs", "psw")
PEER_LEAD = demo_email("northfield-nhs", "peer_lead")


def _community(page: Page) -> None:
    sign_in(page, PSW)
    page.goto("/community")
    expect(page.locator("section.week").first).to_be_visible()
    expect(page.locator("li.series-week").first).to_be_visible()  # the debriefs' compact rows


def _community_bad_filter(page: Page) -> None:
    sign_in(page, PSW)
    page.goto("/community?kind=karaoke&org=nowhere")
    expect(page.get_by_role("alert")).to_contain_text("There is a problem with the filter")


def _a_coming_debrief_as_peer_lead(page: Page) -> None:
    """A debrief date next week, on the peer lead's view (move, cancel, change from, end)."""
    sign_in(page, PEER_LEAD)
    page.goto("/community?kind=debrief")
    page.locator("section.week").nth(1).locator("li.series-week ul.dates a").last.click()
    expect(page.get_by_role("heading", level=2, name="Change from a date onwards")).to_be_visible()


def _confirm_cancel_date(page: Page) -> None:
    _a_coming_debrief_as_peer_lead(page)
    page.get_by_role("button", name="Cancel this date…").click()
    expect(page.get_by_role("button", name="Yes, cancel this date")).to_be_visible()


def _confirm_change_from(page: Page) -> None:
    _a_coming_debrief_as_peer_lead(page)
    page.get_by_label("Place", exact=True).fill("Quiet room, Willow site")
    page.get_by_role("button", name="Check the change…").click()
    expect(page.get_by_role("button", name="Yes, make this change")).to_be_visible()


def _confirm_end_series(page: Page) -> None:
    _a_coming_debrief_as_peer_lead(page)
    page.get_by_role("button", name="End the series…").click()
    expect(page.get_by_role("button", name="Yes, end this series")).to_be_visible()


def _book_a_later_debrief(page: Page) -> None:
    """Book the latest debrief date still open: the daily debrief has dates to spare, so each
    check books its own and leaves the drop-in and co-reflection to the booking journeys."""
    page.goto("/community?kind=debrief")
    book = page.get_by_role("button", name=re.compile(r"^Book a place for Daily debrief on "))
    expect(book.last).to_be_visible()
    book.last.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Daily debrief")


def _occurrence_booked(page: Page) -> None:
    sign_in(page, PSW)
    _book_a_later_debrief(page)
    expect(page.get_by_role("status")).to_contain_text("You are booked (confirmed).")


def _occurrence_booked_as_peer_lead(page: Page) -> None:
    # The peer lead's view adds the attendee list and the move and cancel forms.
    sign_in(page, PEER_LEAD)
    _book_a_later_debrief(page)
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
    "community-bad-filter": _community_bad_filter,
    "debrief-as-peer-lead": _a_coming_debrief_as_peer_lead,
    "confirm-cancel-date": _confirm_cancel_date,
    "confirm-change-from": _confirm_change_from,
    "confirm-end-series": _confirm_end_series,
    "occurrence-booked": _occurrence_booked,
    "occurrence-booked-as-peer-lead": _occurrence_booked_as_peer_lead,
    "my-calendar-with-link": _my_calendar_with_link,
    "series-new": _series_new,
    "retention": _retention,
}


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("screen", SCREENS)
def test_no_serious_axe_violations(page: Page, screen: str, width: str) -> None:
    page.set_viewport_size(WIDTHS[width])
    SCREENS[screen](page)
    assert_accessible(page, screen, width, fits=screen != "retention")  # the chart page is another part's

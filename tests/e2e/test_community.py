"""A peer support worker finds a reflective space, books it, subscribes to it, and gives it up."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import book_first_open, demo_email, fetch, ical_events, main_nav

pytestmark = pytest.mark.e2e

PSW = demo_email("northfield-nhs", "psw")


def calendar_entry(page: Page, occurrence: object):
    """The line on My calendar for one occurrence."""
    return page.get_by_role("main").get_by_role("listitem").filter(
        has=page.locator(f'a[href="/community/occurrences/{occurrence}"]'))


def test_psw_books_a_drop_in_subscribes_and_cancels(signed_in: Callable[[str], Page], live_server: str) -> None:
    page = signed_in(PSW)

    main_nav(page).get_by_role("link", name="Reflective spaces", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reflective spaces")
    page.get_by_label("Show").select_option(label="Social drop-in")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"/community\?kind=social_drop_in$"))
    cards = page.locator("ul.cards > li")
    expect(cards.first).to_be_visible()
    for meta in cards.locator(".meta").all_inner_texts():
        assert meta.startswith("Social drop-in ·"), f"the filter let through: {meta!r}"
    expect(page.get_by_role("link", name="Monthly co-reflection")).to_have_count(0)

    occurrence = book_first_open(page, "Social drop-in")
    uid = f"occurrence-{occurrence}@peerwork"
    expect(page.get_by_role("heading", level=1)).to_have_text("Social drop-in")
    expect(page.get_by_role("status")).to_contain_text("You are booked (confirmed).")
    expect(page.get_by_role("button", name="Cancel my place")).to_be_visible()
    expect(page.get_by_role("button", name="Book a place")).to_have_count(0)

    main_nav(page).get_by_role("link", name="My calendar", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My calendar")
    expect(calendar_entry(page, occurrence)).to_have_count(1)
    expect(calendar_entry(page, occurrence)).to_have_text(
        re.compile(r"^\s*Social drop-in,\s.+\s– confirmed\s*$", re.DOTALL))

    page.get_by_role("button", name=re.compile(r"^Make (my calendar|a new) link$")).click()
    expect(page.get_by_role("status")).to_contain_text("Your calendar link")
    feed_url = page.get_by_label("Calendar link").input_value()
    assert feed_url.startswith(f"{live_server}/calendar/") and feed_url.endswith(".ics"), feed_url

    feed = fetch(feed_url)
    assert feed.status == 200
    assert feed.content_type.split(";")[0].strip() == "text/calendar", feed.content_type
    events = ical_events(feed.text)
    assert uid in events, f"{uid} not in the feed:\n{feed.text}"
    assert "STATUS:CONFIRMED" in events[uid], events[uid]

    # Back to the occurrence from the calendar, and give the place up.
    calendar_entry(page, occurrence).get_by_role("link").click()
    expect(page).to_have_url(re.compile(f"/community/occurrences/{occurrence}$"))
    page.get_by_role("button", name="Cancel my place").click()
    expect(page).to_have_url(re.compile(f"/community/occurrences/{occurrence}$"))
    expect(page.get_by_role("button", name="Book a place")).to_be_visible()
    expect(page.get_by_text("You are booked")).to_have_count(0)

    main_nav(page).get_by_role("link", name="My calendar", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My calendar")
    expect(calendar_entry(page, occurrence)).to_have_count(0)

    feed = fetch(feed_url)
    assert feed.status == 200 and feed.content_type.startswith("text/calendar")
    assert uid not in ical_events(feed.text) and uid not in feed.text, f"{uid} still in the feed:\n{feed.text}"

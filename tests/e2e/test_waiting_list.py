"""A peer lead sets up a one-place space; the second person to book waits, and is promoted."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import (
    OCCURRENCE_PATH,
    CreatedAccount,
    demo_email,
    main_nav,
    occurrence_id,
    sign_in,
)

pytestmark = pytest.mark.e2e

PEER_LEAD = demo_email("northfield-nhs", "peer_lead")
PSW = demo_email("northfield-nhs", "psw")


def places(page: Page):
    return page.locator("dl.summary > div").filter(has=page.locator("dt", has_text="Places")).locator("dd")


def test_one_place_second_psw_waits_then_is_promoted(
    signed_in: Callable[[str], Page], new_page: Callable[[], Page],
    create_account: Callable[..., CreatedAccount],
) -> None:
    second = create_account("psw")
    title = f"E2E one-place co-reflection {secrets.token_hex(3)}"
    day = date.today() + timedelta(days=10)

    lead = signed_in(PEER_LEAD)
    main_nav(lead).get_by_role("link", name="Reflective spaces", exact=True).click()
    lead.get_by_role("link", name="Set up a reflective space").click()
    expect(lead).to_have_url(re.compile(r"/community/series/new$"))
    expect(lead.get_by_role("heading", level=1)).to_have_text("Set up a reflective space")
    lead.get_by_label("Kind").select_option(label="Co-reflection")
    lead.get_by_label("Title").fill(title)
    lead.get_by_label("Repeats").select_option(label="Once")
    lead.get_by_label("First date on or after").fill(day.isoformat())
    lead.get_by_label("Places").fill("1")
    lead.get_by_role("button", name="Create").click()
    expect(lead).to_have_url(re.compile(r"/community\?created=[0-9a-f-]{36}$"))
    card = lead.locator("ul.cards > li").filter(has=lead.get_by_role("heading", level=3, name=title, exact=True))
    expect(card).to_have_count(1)  # "once": exactly one date
    expect(card).to_contain_text("1 of 1 places left")
    card.get_by_role("link", name=title, exact=True).click()
    expect(lead).to_have_url(OCCURRENCE_PATH)
    occurrence_url = f"/community/occurrences/{occurrence_id(lead)}"
    expect(lead.get_by_role("heading", level=1)).to_have_text(title)
    expect(lead.locator("time")).to_contain_text(f"{day:%A %-d %B %Y}, 13:00–14:30")
    expect(places(lead)).to_have_text("0 of 1 booked")

    first_psw = sign_in(new_page(), PSW)
    first_psw.goto(occurrence_url)
    first_psw.get_by_role("button", name="Book a place").click()
    expect(first_psw.get_by_role("status")).to_contain_text("You are booked (confirmed).")
    expect(places(first_psw)).to_have_text("1 of 1 booked")

    waiting = sign_in(new_page(), second.email, second.password)
    waiting.goto(occurrence_url)
    expect(waiting.get_by_role("button", name="Book a place")).to_have_count(0)
    waiting.get_by_role("button", name="Join the waiting list").click()
    expect(waiting.get_by_role("status")).to_contain_text("You are on the waiting list, position 1.")
    expect(places(waiting)).to_have_text("1 of 1 booked, 1 waiting")
    waiting.goto("/my-calendar")
    expect(waiting.get_by_role("main").get_by_role("listitem").filter(has_text=title)).to_contain_text(
        "waiting list, position 1")

    first_psw.get_by_role("button", name="Cancel my place").click()
    # The freed place went to the waiting list, so the space is full again.
    expect(first_psw.get_by_role("button", name="Join the waiting list")).to_be_visible()
    expect(places(first_psw)).to_have_text("1 of 1 booked")

    waiting.goto(occurrence_url)
    expect(waiting.get_by_role("status")).to_contain_text("You are booked (confirmed).")
    expect(waiting.get_by_role("button", name="Cancel my place")).to_be_visible()
    waiting.goto("/my-calendar")
    expect(waiting.get_by_role("main").get_by_role("listitem").filter(has_text=title)).to_have_text(
        re.compile(r"\s– confirmed\s*$"))

    lead.reload()
    attendees = lead.get_by_role("table", name="People booked").locator("tbody tr")
    expect(attendees).to_have_count(1)
    expect(attendees.first).to_contain_text("E2E psw")
    expect(attendees.first).to_contain_text("confirmed")

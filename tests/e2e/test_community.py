"""A peer support worker finds a reflective space, books it, subscribes to it, and gives it up."""

from __future__ import annotations

import email
import re
import secrets
from collections.abc import Callable
from datetime import date, timedelta
from email import policy

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import (
    OCCURRENCE_PATH,
    CreatedAccount,
    LiveServer,
    book_first_open,
    demo_email,
    fetch,
    ical_events,
    main_nav,
    occurrence_id,
    sign_in,
)
from tests.e2e.conftest import _peerwork
from tests.mailserver import SmtpServer

pytestmark = pytest.mark.e2e

PSW = demo_email("northfield-nhs", "psw")
PEER_LEAD = demo_email("northfield-nhs", "peer_lead")
PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1280, "height": 800}


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
    expect(page).to_have_url(re.compile(r"/community\?kind=social_drop_in&org=$"))
    cards = page.locator("ul.cards > li")
    expect(cards.first).to_be_visible()
    for meta in cards.locator(".meta").all_inner_texts():
        assert meta.startswith("Social drop-in ·"), f"the filter let through: {meta!r}"
    expect(page.get_by_role("link", name="Monthly co-reflection")).to_have_count(0)

    # Subscribed first: with the default choice a booking made while the person has a live
    # calendar link goes to the feed (before one, it comes as an emailed invite instead).
    main_nav(page).get_by_role("link", name="My calendar", exact=True).click()
    page.get_by_role("button", name=re.compile(r"^Make (my calendar|a new) link$")).click()
    expect(page.get_by_role("status")).to_contain_text("Your calendar link")
    feed_url = page.get_by_label("Calendar link").input_value()
    assert feed_url.startswith(f"{live_server}/calendar/") and feed_url.endswith(".ics"), feed_url

    main_nav(page).get_by_role("link", name="Reflective spaces", exact=True).click()
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
    expect(page).to_have_url(re.compile(f"/community/occurrences/{occurrence}\\?done=place-cancelled$"))
    expect(page.get_by_role("status")).to_have_text("Your place is cancelled. We have emailed you a calendar update "
                                                    "that removes it.")
    expect(page.get_by_role("button", name="Book a place")).to_be_visible()
    expect(page.get_by_text("You are booked")).to_have_count(0)

    main_nav(page).get_by_role("link", name="My calendar", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My calendar")
    expect(calendar_entry(page, occurrence)).to_have_count(0)

    feed = fetch(feed_url)
    assert feed.status == 200 and feed.content_type.startswith("text/calendar")
    assert uid not in ical_events(feed.text) and uid not in feed.text, f"{uid} still in the feed:\n{feed.text}"


def fits(page: Page) -> None:
    """Nothing sticks out sideways: the page scrolls only down."""
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size["width"]
    assert width <= viewport, f"{page.url} is {width} px wide in a {viewport} px window"


def test_spaces_by_week_with_one_row_of_debrief_dates_on_a_phone(signed_in: Callable[[str], Page]) -> None:
    page = signed_in(PSW)
    page.set_viewport_size(PHONE)
    page.goto("/community")
    weeks = page.locator("section.week")
    expect(weeks.first).to_be_visible()
    headings = weeks.locator("h2").all_inner_texts()
    assert headings and all(re.fullmatch(r"This week|Next week|Week of Monday \d{1,2} [A-Z][a-z]+", h)
                            for h in headings), headings
    assert len(headings) == len(set(headings))  # each week once
    # A week's debriefs are one row of dates, not a card per date.
    rows = page.locator("li.series-week").filter(has=page.get_by_role("heading", level=3, name="Daily debrief"))
    expect(rows.first).to_be_visible()
    assert rows.count() <= len(headings)
    assert page.get_by_role("heading", level=3, name="Daily debrief").count() <= len(headings)
    busiest = max(range(rows.count()), key=lambda i: rows.nth(i).locator("time").count())
    row = rows.nth(busiest)
    assert row.locator("time").count() >= 3
    fits(page)

    # Each date in the row is still bookable on its own.
    book = row.get_by_role("button", name=re.compile(r"^Book a place for Daily debrief on "))
    label = book.last.inner_text()
    book.last.click()
    expect(page).to_have_url(OCCURRENCE_PATH)
    expect(page.get_by_role("heading", level=1)).to_have_text("Daily debrief")
    expect(page.get_by_role("status")).to_contain_text("You are booked (confirmed).")
    day = label.split(" on ")[-1]  # the button's hidden words name the date
    expect(page.locator("dl.summary time")).to_contain_text(day)
    fits(page)


def test_filter_by_organisation_and_a_bad_filter_value_explained(signed_in: Callable[[str], Page]) -> None:
    page = signed_in(PSW)
    page.set_viewport_size(PHONE)
    page.goto("/community")
    page.get_by_role("group", name="From").get_by_label("Open Door Peer Network").check()
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"/community\?kind=&org=open-door$"))
    metas = page.locator("ul.cards > li .meta").all_inner_texts()
    assert metas and all(m.endswith("· Open Door Peer Network") for m in metas), metas
    expect(page.get_by_role("heading", name="Daily debrief")).to_have_count(0)
    fits(page)

    page.goto("/community?kind=karaoke&org=open-door")
    expect(page.get_by_role("alert")).to_contain_text("there is no kind of space called “karaoke”")
    expect(page.get_by_label("Open Door Peer Network")).to_be_checked()  # the good choice is kept
    fits(page)


def _new_space(lead: Page, title: str, pattern: str, day: date) -> None:
    lead.goto("/community/series/new")
    lead.get_by_label("Kind").select_option(label="Co-reflection")
    lead.get_by_label("Title").fill(title)
    lead.get_by_label("Repeats").select_option(label=pattern)
    lead.get_by_label("First date on or after").fill(day.isoformat())
    lead.get_by_label("Place", exact=True).fill("Room 1, Cedar House")
    lead.get_by_role("button", name="Create").click()
    expect(lead.get_by_role("status")).to_have_text(re.compile(rf"^{re.escape(title)} is set up\. The first date is "))


def _cards(page: Page, title: str):
    return page.locator("ul.cards > li").filter(has=page.get_by_role("heading", level=3, name=title, exact=True))


def _calendar_mail(mailbox: SmtpServer, address: str) -> list[tuple[str, str]]:
    """(METHOD, LOCATION) of each calendar email the SMTP server received for ``address``."""
    found = []
    for raw in mailbox.received:
        message = email.message_from_bytes(raw, policy=policy.default)
        if address not in message["To"]:
            continue
        for part in message.walk():
            if part.get_content_type() == "text/calendar":
                events = ical_events(part.get_content())
                body = next(iter(events.values()))
                method = re.search(r"^METHOD:(\S+)", part.get_content(), re.MULTILINE).group(1)
                location = re.search(r"^LOCATION:(.*)$", body, re.MULTILINE)
                place = location.group(1).strip().replace("\\,", ",") if location else ""
                found.append((method, place))
    return found


def test_peer_lead_cancels_a_date_only_after_seeing_who_is_told(
    signed_in: Callable[[str], Page], new_page: Callable[[], Page], create_account: Callable[..., CreatedAccount],
    live: LiveServer, mailbox: SmtpServer,
) -> None:
    title = f"E2E cancel check {secrets.token_hex(3)}"
    lead = signed_in(PEER_LEAD)
    lead.set_viewport_size(DESKTOP)
    _new_space(lead, title, "Once", date.today() + timedelta(days=9))
    _cards(lead, title).get_by_role("link", name=title).click()
    occurrence_url = f"/community/occurrences/{occurrence_id(lead)}"

    booked = create_account("psw")
    psw = sign_in(new_page(), booked.email, booked.password)
    psw.goto(occurrence_url)
    psw.get_by_role("button", name="Book a place").click()
    expect(psw.get_by_role("status")).to_contain_text("You are booked (confirmed).")

    lead.reload()
    lead.get_by_label("Reason for cancelling").fill("The room is flooded.")
    lead.get_by_role("button", name="Cancel this date…").click()
    expect(lead.get_by_role("heading", level=1)).to_have_text(re.compile(rf"^Cancel {re.escape(title)} on .+\?$"))
    expect(lead.get_by_role("main")).to_contain_text("1 person will be emailed.")
    expect(lead.get_by_role("main").get_by_role("listitem").filter(has_text="E2E psw")).to_have_count(1)
    lead.get_by_role("link", name="No, go back without changing anything").click()
    expect(lead).to_have_url(re.compile(f"{occurrence_url}$"))
    expect(lead.get_by_text("This has been cancelled.")).to_have_count(0)  # going back changed nothing

    lead.get_by_role("button", name="Cancel this date…").click()
    lead.get_by_role("button", name="Yes, cancel this date").click()
    expect(lead).to_have_url(re.compile(f"{occurrence_url}\\?done=date-cancelled$"))
    expect(lead.get_by_role("status")).to_have_text(
        "The date is cancelled. Everyone who was booked or waiting is emailed.")
    expect(lead.get_by_text("This has been cancelled.")).to_be_visible()

    _peerwork(live.env, "mail", "send")
    assert ("CANCEL", "Room 1, Cedar House") in _calendar_mail(mailbox, booked.email)
    psw.reload()
    expect(psw.get_by_text("This has been cancelled.")).to_be_visible()


def test_peer_lead_changes_a_series_from_a_date_then_ends_it_on_a_phone(
    signed_in: Callable[[str], Page], new_page: Callable[[], Page], create_account: Callable[..., CreatedAccount],
    live: LiveServer, mailbox: SmtpServer,
) -> None:
    title = f"E2E weekly change {secrets.token_hex(3)}"
    lead = signed_in(PEER_LEAD)
    lead.set_viewport_size(PHONE)
    _new_space(lead, title, "Weekly", date.today() + timedelta(days=2))
    lead.goto("/community?kind=co_reflection")
    cards = _cards(lead, title)
    expect(cards.nth(2)).to_be_visible()
    first, second = (cards.nth(i).get_by_role("link", name=title).get_attribute("href") for i in (0, 1))
    booked = create_account("psw")
    psw = sign_in(new_page(), booked.email, booked.password)
    psw.goto(second)
    psw.get_by_role("button", name="Book a place").click()
    expect(psw.get_by_role("status")).to_contain_text("You are booked (confirmed).")

    lead.goto(second)
    lead.get_by_label("Place", exact=True).fill("Garden Room, Elm House")
    lead.get_by_role("button", name="Check the change…").click()
    expect(lead.get_by_role("heading", level=1)).to_have_text(re.compile(rf"^Change {re.escape(title)} from .+\?$"))
    main = lead.get_by_role("main")
    expect(main).to_contain_text("Place: Room 1, Cedar House → Garden Room, Elm House")
    expect(main).to_contain_text("1 person will be emailed.")
    expect(main).to_contain_text("updated calendar invite")
    fits(lead)
    lead.get_by_role("button", name="Yes, make this change").click()
    expect(lead).to_have_url(re.compile(r"\?done=series-changed$"))
    expect(lead.get_by_role("status")).to_contain_text("The series is changed from the date you chose.")
    expect(lead.locator("dl.summary")).to_contain_text("Garden Room, Elm House")
    _peerwork(live.env, "mail", "send")
    assert ("REQUEST", "Garden Room, Elm House") in _calendar_mail(mailbox, booked.email)

    lead.get_by_role("button", name="End the series…").click()
    expect(lead.get_by_role("heading", level=1)).to_have_text(f"End {title}?")
    expect(lead.get_by_role("main")).to_contain_text("1 person will be emailed.")
    fits(lead)
    lead.get_by_role("button", name="Yes, end this series").click()
    expect(lead).to_have_url(re.compile(r"/community\?done=series-cancelled$"))
    expect(lead.get_by_role("status")).to_contain_text("The series has ended")
    # The change split the series at the second date, so ending it from there leaves the first.
    still_on = _cards(lead, title).filter(has_not_text="Cancelled")
    expect(still_on).to_have_count(1)
    expect(still_on.get_by_role("link", name=title)).to_have_attribute("href", first)


def test_my_calendar_shows_supervision_sessions_as_the_feed_does(
    signed_in: Callable[[str], Page], new_page: Callable[[], Page], create_account: Callable[..., CreatedAccount],
    live_server: str,
) -> None:
    supervisee = create_account("psw")
    me = fetch(f"{live_server}/api/v1/me", bearer=supervisee.api_token).json()
    # The link first: from then on (the default, "auto") new sessions come through the feed,
    # so the page and the feed list the same; invites sent before it would stay invites.
    page = sign_in(new_page(), supervisee.email, supervisee.password)
    page.set_viewport_size(PHONE)
    page.goto("/my-calendar")
    page.get_by_role("button", name="Make my calendar link").click()
    feed_url = page.get_by_label("Calendar link").input_value()

    lead = signed_in(PEER_LEAD)
    lead.goto("/supervision/agreements/new")
    lead.get_by_label("Supervisor").select_option(label="Isaac Green")
    lead.get_by_label("Supervisee (peer support worker)").select_option(value=me["account_id"])
    lead.get_by_label("Starting").fill((date.today() + timedelta(days=3)).isoformat())
    lead.get_by_role("button", name="Create and propose sessions").click()
    lead.get_by_role("button", name="Accept all proposed sessions").click()
    sessions = lead.locator("#sessions tbody tr")
    expect(sessions.first).to_be_visible()

    page.goto("/my-calendar")
    entries = page.get_by_role("main").locator("li[data-uid]")
    supervision = entries.filter(has=page.locator('a[href="/supervision"]'))
    expect(supervision).to_have_count(sessions.count())
    fits(page)
    feed = fetch(feed_url)
    listed = {entries.nth(i).get_attribute("data-uid") for i in range(entries.count())}
    assert listed == set(ical_events(feed.text)), "My calendar and the feed disagree"

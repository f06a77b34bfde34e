"""Helpers for the browser tests: demo logins, signing in through the form, CSV files, axe."""

from __future__ import annotations

import json
import re
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import Message
from pathlib import Path
from uuid import UUID

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Locator, Page, expect

from peerwork.demo import DEMO_LOGINS, DEMO_PASSWORD, ORGANISATIONS

NORTHFIELD = ORGANISATIONS[0]
CSV_HEADER = ("assignment_number,person_id,position_title,lived_experience_role,afc_band,team,"
              "start_date,end_date,leaving_reason,fte")
BLOCKING_IMPACTS = {"serious", "critical"}

_axe = Axe()


@dataclass(frozen=True)
class LiveServer:
    url: str
    env: dict[str, str]  # the server's environment, for running the CLI against the same database


@dataclass(frozen=True)
class CreatedAccount:
    """An account made with ``peerwork users create``: its sign-in and the API token it printed."""

    email: str
    password: str
    api_token: str


def demo_email(org_slug: str, role: str) -> str:
    """The demo login for a role, as ``peerwork demo`` creates it."""
    domain = next(org["domain"] for org in ORGANISATIONS if org["slug"] == org_slug)
    local = next(local for slug, local, r, _ in DEMO_LOGINS if slug == org_slug and r == role)
    return f"{local}@{domain}"


def sign_in(page: Page, email: str, password: str = DEMO_PASSWORD) -> Page:
    """Sign in through the form, as a person would, and wait for the home page."""
    page.goto("/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    return page


OCCURRENCE_PATH = re.compile(r"/community/occurrences/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$")


def main_nav(page: Page) -> Locator:
    return page.get_by_role("navigation", name="Main")


def occurrence_id(page: Page) -> UUID:
    """The occurrence shown on an occurrence page, from its URL."""
    match = OCCURRENCE_PATH.search(page.url.split("?")[0])
    assert match, f"not an occurrence page: {page.url}"
    return UUID(match.group(1))


# Booking closes this long before the start (the series default). The cards still offer "Book a
# place" inside that hour, so the helper passes over such a date rather than fail by time of day.
BOOKING_CUTOFF = timedelta(minutes=60)


def book_first_open(page: Page, title: str) -> UUID:
    """On /community, book the first card titled ``title`` that offers "Book a place" and is more
    than the booking cut-off away; returns the occurrence's id from the page booking leads to."""
    book = page.get_by_role("button", name=re.compile(r"^Book a place"))
    cards = page.locator("ul.cards > li").filter(
        has=page.get_by_role("heading", level=2, name=title, exact=True)).filter(has=book)
    expect(cards.first).to_be_visible()
    for card in cards.all():
        start = datetime.fromisoformat(card.locator("time").get_attribute("datetime") or "")
        assert start.tzinfo is not None, f"<time datetime> without an offset: {start}"
        if start - datetime.now(UTC) > BOOKING_CUTOFF + timedelta(minutes=2):
            card.get_by_role("button", name=re.compile(r"^Book a place")).click()
            expect(page).to_have_url(OCCURRENCE_PATH)
            return occurrence_id(page)
    raise AssertionError(f"no {title!r} on {page.url} is open for booking")


@dataclass(frozen=True)
class Fetched:
    status: int
    content_type: str
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self) -> object:
        return json.loads(self.body)


def fetch(url: str, bearer: str | None = None) -> Fetched:
    """GET outside the browser (no cookies), as a calendar app or an API client would."""
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {bearer}"} if bearer else {})
    with urllib.request.urlopen(request, timeout=10) as response:
        headers: Message = response.headers
        return Fetched(response.status, headers.get("Content-Type", ""), response.read())


def ical_events(text: str) -> dict[str, str]:
    """VEVENT blocks of an iCalendar body by UID, with folded lines unfolded (RFC 5545 3.1)."""
    unfolded = re.sub(r"\r?\n[ \t]", "", text)
    events = {}
    for block in re.findall(r"BEGIN:VEVENT\r?\n(.*?)END:VEVENT", unfolded, flags=re.DOTALL):
        uid = re.search(r"^UID:(.+?)\r?$", block, flags=re.MULTILINE)
        assert uid, f"VEVENT without a UID:\n{block}"
        events[uid.group(1)] = block
    return events


def write_csv(path: Path, *rows: str) -> Path:
    path.write_text("\n".join([CSV_HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def blocking_violations(page: Page) -> list[str]:
    """axe-core violations of serious or critical impact, one readable line per failing node."""
    results = _axe.run(page)
    lines = []
    for violation in results.response["violations"]:
        if violation.get("impact") not in BLOCKING_IMPACTS:
            continue
        for node in violation["nodes"]:
            lines.append(
                f"{violation['id']} ({violation['impact']}): {violation['help']} -> {node['target']}\n"
                f"    {node['html']}\n    {node.get('failureSummary', '').replace(chr(10), ' ')}"
            )
    return lines

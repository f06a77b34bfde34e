"""Helpers for the browser tests: demo logins, signing in through the form (with the code step),
CSV files, axe and the widths the accessibility checks run at."""

from __future__ import annotations

import json
import re
import time
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import Message
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

import pyotp
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Locator, Page, expect

from peerwork.core.security import SESSION_COOKIE
from peerwork.demo import DEMO_LOGINS, DEMO_PASSWORD, DEMO_TOTP_SECRET, ORGANISATIONS

NORTHFIELD = ORGANISATIONS[0]
CSV_HEADER = ("assignment_number,person_id,position_title,lived_experience_role,afc_band,team,"
              "start_date,end_date,leaving_reason,fte")
BLOCKING_IMPACTS = {"serious", "critical"}
# The viewports the accessibility checks run at: a phone and a desktop.
WIDTHS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}

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


# --- two-step sign-in ------------------------------------------------------------------------
# Admin and HR always need a code from an authenticator app; the demo's share DEMO_TOTP_SECRET.
# The server accepts each code once (and one 30-second step either side of now), so the helpers
# remember the last step used per account and only ever type a newer one.

_authenticators: dict[str, str] = {}  # email -> TOTP secret, for accounts set up during the run
_last_step: dict[str, int] = {}  # email -> the newest time step whose code was typed
# email -> the session cookie of a sign-in that took a code, reused by later sign-ins while
# the server still accepts it (so a dozen HR sign-ins do not wait for a dozen new codes)
_sessions: dict[str, list[Any]] = {}


def authenticator_code(email: str, secret: str | None = None) -> str:
    """The code the account's authenticator app shows, never one already typed for it in this
    run: the current step's, else the next one's (the server allows one step either way), waiting
    for the clock when both are used. Never the previous step's: if the clock ticks over on the
    way to the server, that code would be two steps old and refused."""
    secret = secret or _authenticators.get(email, DEMO_TOTP_SECRET)
    _authenticators[email] = secret
    totp = pyotp.TOTP(secret)
    step = max(totp.timecode(datetime.now(UTC)), _last_step.get(email, -1) + 1)
    while step > totp.timecode(datetime.now(UTC)) + 1:
        time.sleep(0.5)
    _last_step[email] = step
    return totp.generate_otp(step)


def enter_code(page: Page, email: str) -> None:
    """On the code step of signing in: type the account's current authenticator code."""
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    page.get_by_label("Code from your authenticator app").fill(authenticator_code(email))
    page.get_by_role("button", name="Continue").click()


def set_up_authenticator(page: Page, email: str) -> list[str]:
    """On a "Set up two-step sign-in" page: add the key shown (as an app would), type its first
    code, and go on past the recovery codes; returns those codes."""
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-step sign-in")
    secret = page.locator("#totp-key").inner_text().replace(" ", "")
    page.get_by_label("Code from your authenticator app").fill(authenticator_code(email, secret))
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Save your recovery codes")
    codes = page.get_by_role("list", name="Recovery codes").get_by_role("listitem").all_inner_texts()
    page.get_by_role("button", name="I have saved these codes").click()
    return codes


def _resume(page: Page, email: str) -> bool:
    """Reuse the session of an earlier sign-in with a code, if the server still accepts it."""
    cookies = _sessions.get(email)
    if not cookies:
        return False
    page.context.add_cookies(cookies)
    page.goto("/")
    if "/login" in urlsplit(page.url).path:
        page.context.clear_cookies()
        del _sessions[email]
        return False
    return True


def sign_in(page: Page, email: str, password: str = DEMO_PASSWORD) -> Page:
    """Sign in through the form, as a person would, and wait for the home page.

    When the account needs a second factor the helper types the code from its authenticator
    (the demo key for the demo's admin and HR), or sets one up when asked to; later sign-ins to
    the same account reuse that browser session while it lasts."""
    if _resume(page, email):
        expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
        return page
    page.goto("/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(re.compile(r"Welcome|Enter your code|Set up two-step sign-in"))
    step = heading.inner_text()
    if step == "Enter your code":
        enter_code(page, email)
    elif step == "Set up two-step sign-in":
        set_up_authenticator(page, email)
    expect(heading).to_contain_text("Welcome")
    if not step.startswith("Welcome"):
        _sessions[email] = [c for c in page.context.cookies() if c["name"] == SESSION_COOKIE]
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
        has=page.get_by_role("heading", level=3, name=title, exact=True)).filter(has=book)
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


def assert_accessible(page: Page, screen: str, width: str, *, fits: bool = True) -> None:
    """The page shown has no serious or critical axe-core problems and, when ``fits``, is no
    wider than the ``width`` named in WIDTHS (nothing scrolls sideways). Checks only: the test
    sets the viewport and opens the screen first."""
    problems = blocking_violations(page)
    assert not problems, f"axe found serious/critical problems on {screen} ({page.url}):\n" + "\n".join(problems)
    if fits:
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= WIDTHS[width]["width"], f"{screen} is {scroll_width} px wide at {width} width"

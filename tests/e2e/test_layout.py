"""Every HTML page fits a phone and passes axe; every download downloads.

The pages are not listed here: they are the app's registered GET routes that render a template,
so a new page is checked from the day it is added. Path parameters are filled from data this
module makes through the API, the CLI and the public pages (an open vacancy, an application,
a reflective space, a supervision agreement, a person, an invitation and a password reset), so
the checks do not depend on what the demo happens to contain. Each page is visited signed out
first and, if that leads to the sign-in page, as the demo organisation admin (who holds every
right); then axe runs at 1280 px and at 390 px, where the page must not scroll sideways.
"""

from __future__ import annotations

import email
import json
import re
import secrets
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from email import policy
from functools import cache
from typing import Any, get_args
from urllib.parse import urlsplit

import pytest
from litestar.response import Template
from playwright.sync_api import Browser, Page, expect

from peerwork.core.access import ROLES
from tests.e2e.browser import LiveServer, blocking_violations, demo_email, main_nav, sign_in
from tests.e2e.conftest import _peerwork
from tests.mailserver import SmtpServer

pytestmark = pytest.mark.e2e

ORG = "northfield-nhs"
ADMIN = demo_email(ORG, "admin")
PHONE, DESKTOP = 390, 1280
HEIGHT = 800
DOWNLOAD_SUFFIXES = (".csv", ".png", ".svg", ".ics")
# A calendar feed is subscribed to by calendar apps, which fetch it again and again: not a download.
FEEDS = ("/calendar/",)
PARAMETER = re.compile(r"\{(\w+):\w+\}")
# Pages whose widest state needs a query: suggestions with a form in each row, a comparison and
# a period, a year of the funnel. Checked as well as every page in its plain state.
STATES = [
    "/pairing?suggest=unpaired",
    f"/retention?compare=true&period_start={date.today() - timedelta(days=730)}&period_end={date.today() - timedelta(days=365)}",
    f"/recruitment/funnel?year={date.today().year}",
]


# --- the routes, from the app itself --------------------------------------------------------------

@cache
def _get_routes() -> tuple[tuple[str, Any], ...]:
    """(path, handler) for every GET route the app serves, pages and API alike."""
    from peerwork.app import create_app
    from peerwork.core.settings import load_settings

    app = create_app(load_settings())
    found = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            if "GET" in getattr(handler, "http_methods", ()):
                found.append((route.path, handler))
    return tuple(sorted(found, key=lambda pair: pair[0]))


def _renders_html(handler: Any) -> bool:
    returned = handler.parsed_fn_signature.return_type.annotation
    return returned is Template or Template in get_args(returned)


def html_pages() -> list[str]:
    return [path for path, handler in _get_routes() if _renders_html(handler)]


def downloads() -> list[str]:
    return [path for path, _ in _get_routes()
            if path.endswith(DOWNLOAD_SUFFIXES) and not path.startswith(FEEDS)]


# --- talking to the live server -------------------------------------------------------------------

def _api(live: LiveServer, token: str, method: str, path: str, body: dict | None = None) -> Any:
    request = urllib.request.Request(
        live.url + path, method=method, data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            text = response.read()
    except urllib.error.HTTPError as refused:
        pytest.fail(f"{method} {path}: HTTP {refused.code} {refused.read()[:300]!r}")
    return json.loads(text) if text else None


def _items(body: Any) -> list[dict]:
    return body if isinstance(body, list) else body.get("items", [])


def _admin_token(live: LiveServer) -> str:
    """A new admin account made with the CLI, as an operator would; its API token."""
    address = f"layout-admin-{secrets.token_hex(4)}@northfield.example"
    out = _peerwork(live.env, "users", "create", "--org", ORG, "--email", address, "--role", "admin")
    lines = [line.strip() for line in out.splitlines() if line.strip()]
    return lines[next(i for i, line in enumerate(lines) if line.startswith("API token")) + 1]


def _address(kind: str) -> str:
    return f"layout-{kind}-{secrets.token_hex(4)}@northfield.example"


def _link_mailed_to(mailbox: SmtpServer, address: str, path: str) -> str:
    """The path of the link in the latest message the SMTP server received for ``address``."""
    for raw in reversed(mailbox.received):
        message = email.message_from_bytes(raw, policy=policy.default)
        if address in message["To"]:
            body = message.get_body(preferencelist=("plain",)).get_content()
            return urlsplit(re.search(rf"(https?://\S+/{path}/[A-Za-z0-9_\-]+)", body).group(1)).path
    raise AssertionError(f"no message for {address} reached the SMTP server")


def _apply(page: Page, job_path: str) -> str:
    """Apply for a job through its public form, filling whatever it requires; the applicant's
    private link."""
    page.goto(job_path)
    form = page.locator(f'form[action="{job_path}"]')
    for box in form.locator("input[required], textarea[required]").all():
        kind = box.get_attribute("type")
        box.fill("layout.applicant@example.org" if kind == "email" else "What helped me, and what helps others.")
    form.locator("button[type=submit], button:not([type])").last.click()
    link = page.locator('a[href*="/application/"]').first
    expect(link).to_be_visible()
    return urlsplit(link.get_attribute("href") or "").path


@dataclass
class Made:
    """Values for path parameters, by parameter name (``token`` by the path it opens)."""

    values: dict[str, str] = field(default_factory=dict)

    def fill(self, path: str) -> str:
        def value(match: re.Match[str]) -> str:
            name = match.group(1)
            key = f"token:/{path.split('/')[1]}" if name == "token" else name
            if key not in self.values:
                pytest.fail(f"{path}: no test data for {{{name}}}; make some in test_layout._make")
            return self.values[key]

        return PARAMETER.sub(value, path)


def _make(live: LiveServer, mailbox: SmtpServer, page: Page) -> Made:
    admin = _admin_token(live)
    made = Made({"org_slug": ORG, "api_token": admin, "network_slug": "northfield-peer-network"})

    def account(role: str, **extra: Any) -> dict:
        return _api(live, admin, "POST", "/api/v1/accounts",
                    {"email": _address(role.replace("_", "-")), "roles": [role], "display_name": f"Layout {role}", **extra})

    supervisor, psw = account("supervisor"), account("psw")
    person = _api(live, admin, "POST", "/api/v1/people",
                  {"employee_number": f"LAYOUT-{secrets.token_hex(3)}", "given_name": "Layout", "family_name": "Person"})
    made.values["person_id"] = person["id"]

    vacancy = _api(live, admin, "POST", "/api/v1/recruitment/vacancies", {
        "title": "Peer Support Worker (layout check)", "closing_date": (date.today() + timedelta(days=21)).isoformat(),
        "remit": "Support people on the ward using your lived experience."})
    _api(live, admin, "POST", f"/api/v1/recruitment/vacancies/{vacancy['id']}/panel",
         {"account_id": psw["id"], "lived_experience": True})
    _api(live, admin, "POST", f"/api/v1/recruitment/vacancies/{vacancy['id']}/status", {"status": "open"})
    made.values["vacancy_id"] = vacancy["id"]
    made.values["token:/application"] = _apply(page, f"/jobs/{ORG}/{vacancy['id']}").rsplit("/", 1)[1]
    (application,) = _items(_api(live, admin, "GET", f"/api/v1/recruitment/vacancies/{vacancy['id']}/applications"))
    made.values["application_id"] = application["id"]

    series = _api(live, admin, "POST", "/api/v1/community/series", {
        "kind": "co_reflection", "title": "Layout check space", "rrule": "FREQ=WEEKLY",
        "start_date": (date.today() + timedelta(days=2)).isoformat(), "start_time": "10:00:00", "end_time": "11:00:00",
        "capacity": 8, "location": "Recovery College"})
    occurrence = next(o for o in _items(_api(live, admin, "GET", "/api/v1/community/occurrences?kind=co_reflection"))
                      if o["series_id"] == series["id"])
    made.values["occurrence_id"] = occurrence["id"]
    made.values["booking_id"] = _api(live, admin, "POST", f"/api/v1/community/occurrences/{occurrence['id']}/bookings")["id"]

    course = _items(_api(live, admin, "GET", "/api/v1/cpd/courses"))[0]
    made.values["run_id"] = _api(live, admin, "POST", "/api/v1/training/runs", {
        "course_id": course["id"], "start_date": (date.today() + timedelta(days=9)).isoformat(),
        "start_time": "10:00:00", "end_time": "13:00:00", "sessions": 2, "capacity": 8,
        "location": "Recovery College"})["id"]

    questionnaire = _api(live, admin, "POST", "/api/v1/evaluation/questionnaires", {
        "title": "Layout check questions", "items": [{"kind": "likert", "text": "I feel confident"},
                                                     {"kind": "text", "text": "Anything else?"}]})
    made.values["questionnaire_id"] = questionnaire["id"]
    made.values["course_id"] = course["id"]
    _api(live, admin, "PUT", f"/api/v1/evaluation/courses/{course['id']}/questionnaire",
         {"questionnaire_id": questionnaire["id"]})
    _api(live, admin, "POST", f"/api/v1/evaluation/courses/{course['id']}/send", {
        "moment": "before", "account_ids": [psw["id"]], "due_by": (date.today() + timedelta(days=14)).isoformat()})

    expert = _api(live, admin, "POST", "/api/v1/coproduction/participants",
                  {"name": "Layout Expert", "email": _address("expert"), "preference": "voucher"})
    made.values["activity_id"] = _api(live, admin, "POST", "/api/v1/coproduction/activities", {
        "title": "Layout check workshop", "kind": "co_design", "held_on": date.today().isoformat(),
        "lines": [{"participant_id": expert["id"], "minutes": 90, "expenses_pence": 640}]})["id"]

    agreement = _api(live, admin, "POST", "/api/v1/supervision/agreements", {
        "supervisor_id": supervisor["id"], "supervisee_id": psw["id"], "start_date": date.today().isoformat()})
    made.values["agreement_id"] = agreement["id"]
    # The admin's own wellness plan: the read-only page of a plan, as its owner sees it.
    made.values["document_id"] = _api(live, admin, "PUT", "/api/v1/wellbeing/plan", {"what_helps": "A walk"})["id"]

    # A debrief request, asked by a peer worker (the admin holds no peer role).
    out = _peerwork(live.env, "users", "create", "--org", ORG, "--email", _address("asker"), "--role", "psw")
    lines = [line.strip() for line in out.splitlines() if line.strip()]
    asker = lines[next(i for i, line in enumerate(lines) if line.startswith("API token")) + 1]
    made.values["debrief_id"] = _api(live, asker, "POST", "/api/v1/debrief/requests", {"reason": "incident"})["id"]

    invited = _address("invited")
    _api(live, admin, "POST", "/api/v1/invitations", {"email": invited, "role": "psw"})
    forgetful = account("psw", password=secrets.token_urlsafe(18))["email"]
    page.goto("/password/forgot")
    page.locator("main form input[type=email]").fill(forgetful)
    page.locator("main form button").first.click()
    expect(page.get_by_role("status")).to_be_visible()
    _peerwork(live.env, "mail", "send")
    made.values["token:/invitations"] = _link_mailed_to(mailbox, invited, "invitations").rsplit("/", 1)[1]
    made.values["token:/password"] = _link_mailed_to(mailbox, forgetful, "password/reset").rsplit("/", 1)[1]
    made.values["token:/evaluation"] = _link_mailed_to(mailbox, psw["email"], "evaluation/answer").rsplit("/", 1)[1]
    return made


# --- one signed-out page and one signed-in page for the whole module --------------------------------

@dataclass
class Site:
    live: LiveServer
    anonymous: Page
    admin: Page
    made: Made
    started: float


@pytest.fixture(scope="module")
def site(browser: Browser, live: LiveServer, mailbox: SmtpServer) -> Iterator[Site]:
    started = time.monotonic()
    contexts = [browser.new_context(base_url=live.url, locale="en-GB", viewport={"width": DESKTOP, "height": HEIGHT})
                for _ in range(2)]
    for context in contexts:
        context.set_default_timeout(10_000)
    anonymous, admin = (context.new_page() for context in contexts)
    made = _make(live, mailbox, anonymous)
    anonymous.context.clear_cookies()
    sign_in(admin, ADMIN)
    ready = time.monotonic()
    yield Site(live, anonymous, admin, made, started)
    print(f"\nlayout checks: {ready - started:.1f} s to make the data and sign in, "
          f"{time.monotonic() - ready:.1f} s for the checks")
    for context in contexts:
        context.close()


def _signed_out(url: str) -> bool:
    return urlsplit(url).path == "/login" and "next=" in url


def _visit(site: Site, path: str) -> Page:
    """The page as someone allowed to see it sees it: signed out if it is public, else as admin."""
    page = site.anonymous
    response = page.goto(path)
    if _signed_out(page.url) and urlsplit(path).path != "/login":
        page = site.admin
        response = page.goto(path)
    assert response is not None and response.status < 500, f"{path}: HTTP {response and response.status}"
    return page


def _sideways_scroll(page: Page) -> str | None:
    """What sticks out past the right edge of the window, if the page scrolls sideways."""
    return page.evaluate("""() => {
        const width = window.innerWidth;
        if (document.documentElement.scrollWidth <= width) return null;
        // What sticks out, leaving aside what scrolls inside its own region (unless it is taken
        // out of the flow, where the region may not hold it).
        const wide = [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > width + 1
            && (!e.closest('.table-scroll, [role=region]') || ['absolute', 'fixed'].includes(getComputedStyle(e).position)));
        return `scrollWidth ${document.documentElement.scrollWidth} > ${width}: ` +
            wide.slice(0, 5).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
                (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ').join('.') : '')).join(', ');
    }""")


@pytest.mark.parametrize("route", html_pages() + STATES)
def test_every_page_fits_a_phone_and_passes_axe(site: Site, route: str) -> None:
    page = _visit(site, site.made.fill(route))
    problems = _check_widths(page)
    assert not problems, f"{route} ({page.url}):\n" + "\n".join(problems)


def _check_widths(page: Page) -> list[str]:
    problems = []
    try:
        for width in (DESKTOP, PHONE):
            page.set_viewport_size({"width": width, "height": HEIGHT})
            problems += [f"at {width} px: {line}" for line in blocking_violations(page)]
            if width == PHONE and (sticking_out := _sideways_scroll(page)):
                problems.append(f"at {width} px the page scrolls sideways: {sticking_out}")
    finally:
        page.set_viewport_size({"width": DESKTOP, "height": HEIGHT})
    return problems


@pytest.mark.parametrize("role", [role for role in ROLES if role != "admin"])
def test_each_roles_home_page_fits_a_phone_and_passes_axe(site: Site, role: str) -> None:
    # Home is the one page whose content is made for each role (their own to-do list); every
    # other page is checked above with the admin's view, which holds every right.
    page = site.anonymous
    try:
        sign_in(page, demo_email(ORG, role))
        problems = _check_widths(page)
    finally:
        page.context.clear_cookies()
    assert not problems, f"home as {role}:\n" + "\n".join(problems)


@pytest.mark.parametrize("route", downloads())
def test_every_download_is_an_attachment_with_a_name(site: Site, route: str) -> None:
    path = site.made.fill(route)
    if path.startswith("/api/"):
        response = site.admin.request.get(path, headers={"Authorization": f"Bearer {site.made.values['api_token']}"})
    else:
        response = site.admin.request.get(path)
    assert response.status == 200, f"{path}: HTTP {response.status} {response.text()[:200]}"
    disposition = response.headers.get("content-disposition", "")
    suffix = next(s for s in DOWNLOAD_SUFFIXES if route.endswith(s))
    assert re.fullmatch(rf'attachment; filename="[\w.\-]+\{suffix}"', disposition), f"{path}: {disposition!r}"


def test_clicking_a_download_link_saves_a_named_file(site: Site) -> None:
    page = site.admin
    page.goto("/retention")
    chart = page.get_by_role("figure")
    for link, pattern in ((chart.get_by_role("link", name="SVG"), r"retention-northfield-nhs-\d{4}-\d\d-\d\d\.svg"),
                          (chart.get_by_role("link", name="PNG"), r"retention-northfield-nhs-\d{4}-\d\d-\d\d\.png"),
                          (page.get_by_role("link", name="Download as CSV").first,
                           r"retention-northfield-nhs-\d{4}-\d\d-\d\d-cohort_year\.csv")):
        with page.expect_download() as download:
            link.click()
        assert re.fullmatch(pattern, download.value.suggested_filename), download.value.suggested_filename
        expect(page).to_have_url(re.compile(r"/retention$"))  # still on the page


def test_the_calendar_feed_is_not_made_a_download(site: Site) -> None:
    page = site.admin
    page.goto("/my-calendar")
    page.get_by_role("button", name=re.compile(r"^Make (my calendar link|a new link)")).click()
    feed = page.get_by_label("Calendar link").input_value()
    response = page.request.get(urlsplit(feed).path)
    assert response.status == 200 and response.headers["content-type"].startswith("text/calendar")
    assert "content-disposition" not in response.headers  # calendar apps subscribe to it


def test_the_menu_folds_on_a_phone_and_opens_from_the_keyboard(site: Site) -> None:
    page = site.admin
    page.goto("/")
    menu = page.locator("nav[aria-label=Main] summary")
    retention = main_nav(page).get_by_role("link", name="Retention", exact=True)
    try:
        page.set_viewport_size({"width": PHONE, "height": HEIGHT})
        expect(retention).to_be_hidden()
        expect(menu).to_be_visible()
        menu.focus()
        page.keyboard.press("Enter")
        expect(retention).to_be_visible()
        page.keyboard.press("Tab")
        expect(main_nav(page).get_by_role("link").first).to_be_focused()
        menu.focus()
        page.keyboard.press("Enter")  # and closes again
        expect(retention).to_be_hidden()
    finally:
        page.set_viewport_size({"width": DESKTOP, "height": HEIGHT})
    expect(menu).to_be_hidden()
    expect(retention).to_be_visible()
    # Shown on a wide screen and also in the accessibility tree (what a screen reader reads),
    # although the disclosure itself stays closed.
    tree = page.context.new_cdp_session(page).send("Accessibility.getFullAXTree")["nodes"]
    links = {node.get("name", {}).get("value") for node in tree
             if node.get("role", {}).get("value") == "link" and not node.get("ignored")}
    assert "Retention" in links

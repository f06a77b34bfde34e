"""Home as a to-do list, per role, in the browser: the page shows exactly the items the API
gives (GET /api/v1/me/todo), each links to where it is done; people search and a person's page.

The test makes its own organisation and data inside the live server's environment, so it
depends on nothing in the demo."""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import LiveServer, blocking_violations, fetch, sign_in

pytestmark = pytest.mark.e2e

SETUP = """
import asyncio, json, sys
from datetime import date, time, timedelta
from decimal import Decimal
from peerwork.community import bookings, series
from peerwork.community.schemas import SeriesIn
from peerwork.core import accounts
from peerwork.core.db import close_pool, open_pool, use_database
from peerwork.core.settings import load_settings
from peerwork.core.tables import Person
from peerwork.cpd.tables import Course, CpdRecord
from peerwork.workforce.importer import import_assignments
from peerwork.workforce.organisations import create_organisation

async def main(tag, password):
    engine = use_database(load_settings().database_url)
    await open_pool(engine)
    org = await create_organisation(f"home-{tag.lower()}", f"Home {tag} Trust")
    today = date.today()
    header = "assignment_number,person_id,position_title,lived_experience_role,afc_band,team,start_date,end_date,leaving_reason,fte"
    rows = [f"A-P,E-P,Peer Support Worker,Y,4,Cedar Ward,{today - timedelta(days=500)},,,",
            f"A-N,E-N,Peer Support Worker,Y,4,Cedar Ward,{today - timedelta(days=30)},,,",
            f"A-L,E-L,Peer Lead,Y,6,Cedar Ward,{today - timedelta(days=2000)},,,"]
    made = {}
    hr = await accounts.create_account(org.id, f"hr-{tag.lower()}@home.example", ["hr"], display_name=f"Harriet {tag}",
                                       password=password)
    hr_principal = await accounts.authenticate_token((await accounts.issue_api_token(hr.id, org.id)).token)
    report = await import_assignments(org.id, (header + "\\n" + "\\n".join(rows) + "\\n").encode(), actor=hr_principal)
    assert report.ok, report
    for key, number, role, name in (("psw", "E-P", "psw", "Priya"), ("new", "E-N", "psw", "Noah"),
                                     ("lead", "E-L", "peer_lead", "Lola")):
        person = await Person.select(Person.id).where((Person.organisation == org.id)
                                                      & (Person.employee_number == number)).first()
        await Person.update({Person.given_name: name, Person.family_name: tag}).where(Person.id == person["id"])
        view = await accounts.create_account(org.id, f"{key}-{tag.lower()}@home.example", [role],
                                             display_name=f"{name} {tag}", password=password, person_id=person["id"])
        made[key] = {"email": view.email, "token": (await accounts.issue_api_token(view.id, org.id)).token,
                     "person_id": str(person["id"]), "account_id": str(view.id)}
    made["hr"] = {"email": hr.email, "token": (await accounts.issue_api_token(hr.id, org.id)).token}
    course = Course(organisation=org.id, title="Safeguarding adults", hours=Decimal(3), kind="core",
                    mandatory_roles="psw", renewal_months=12)
    await course.save()
    await CpdRecord(organisation=org.id, account=made["psw"]["account_id"], course=course.id, activity="Safeguarding",
                    done_on=today - timedelta(days=400), hours=Decimal(3)).save()
    lead = await accounts.authenticate_token(made["lead"]["token"])
    psw = await accounts.authenticate_token(made["psw"]["token"])
    space = await series.create_series(lead, SeriesIn(
        kind="co_reflection", title=f"Reflective space {tag}", rrule="FREQ=WEEKLY;COUNT=2",
        start_date=today + timedelta(days=3), start_time=time(13), end_time=time(14), capacity=8))
    occurrence = next(o for o in await bookings.upcoming(psw, days=30) if o.series_id == space.id)
    await bookings.book(psw, occurrence.id)
    await close_pool(engine)
    print(json.dumps(made))

asyncio.run(main(sys.argv[1], sys.argv[2]))
"""


@pytest.fixture(scope="module")
def world(live: LiveServer) -> Iterator[dict]:
    tag = "H" + secrets.token_hex(3).upper()
    password = secrets.token_urlsafe(18)
    done = subprocess.run([sys.executable, "-c", SETUP, tag, password], env=live.env, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    made = json.loads(done.stdout.strip().splitlines()[-1])
    yield {"tag": tag, "password": password, **made}


def api_items(live: LiveServer, token: str) -> list[dict]:
    response = fetch(f"{live.url}/api/v1/me/todo", bearer=token)
    assert response.status == 200 and response.content_type.startswith("application/json")
    return response.json()["items"]  # type: ignore[index]


def page_items(page: Page) -> list[tuple[str, str, str]]:
    items = page.locator("ul.todo > li")
    return [(item.get_attribute("data-kind") or "", item.get_by_role("link").inner_text(),
             item.get_by_role("link").get_attribute("href") or "") for item in items.all()]


def home_matches_api(page: Page, live: LiveServer, token: str) -> list[dict]:
    page.goto("/")
    expect(page.get_by_role("heading", level=2, name="What to do next")).to_be_visible()
    items = api_items(live, token)
    assert page_items(page) == [(i["kind"], i["title"], i["href"]) for i in items]
    assert_fits(page)
    return items


def assert_fits(page: Page) -> None:
    """No serious or critical axe finding, on a phone (390 px) and a desktop (1280 px)."""
    for width, height in ((390, 844), (1280, 900)):
        page.set_viewport_size({"width": width, "height": height})
        assert blocking_violations(page) == [], f"at {width} px"


def follow_each_link(page: Page, items: list[dict]) -> None:
    """Every item leads to a page that opens for this person (not an error)."""
    for href in dict.fromkeys(i["href"] for i in items):
        response = page.goto(href)
        assert response is not None and response.status == 200, f"{href} answered {response and response.status}"


def test_a_psw_sees_their_booking_training_due_and_nothing_of_others(
        new_page: Callable[[], Page], live: LiveServer, world: dict) -> None:
    page = sign_in(new_page(), world["psw"]["email"], world["password"])
    items = home_matches_api(page, live, world["psw"]["token"])
    kinds = {i["kind"] for i in items}
    assert {"community.confirmed", "cpd.expired"} <= kinds
    assert not kinds & {"community.no_facilitator", "cpd.lapsed", "retention.headline", "supervision.overdue"}
    expect(page.locator("ul.todo > li[data-kind='cpd.expired']")).to_contain_text("Needs doing now")
    page.locator("ul.todo > li[data-kind='community.confirmed']").get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Reflective space {world['tag']}")
    follow_each_link(page, items)


def test_a_peer_lead_sees_what_needs_arranging_and_finds_a_person(
        new_page: Callable[[], Page], live: LiveServer, world: dict) -> None:
    page = sign_in(new_page(), world["lead"]["email"], world["password"])
    items = home_matches_api(page, live, world["lead"]["token"])
    kinds = {i["kind"] for i in items}
    assert {"community.no_facilitator", "supervision.no_agreement", "pairing.unpaired_new_starters",
            "cpd.induction_late"} <= kinds
    assert not kinds & {"retention.headline", "cpd.lapsed", "workforce.import"}
    follow_each_link(page, items)

    page.goto("/people")
    page.get_by_label("Name or employee number").fill(f"priya {world['tag']}")
    page.get_by_role("button", name="Find").click()
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(1)
    rows.get_by_role("link", name=f"Priya {world['tag']}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Priya {world['tag']}")
    expect(page.get_by_role("heading", level=2, name="Assignments")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="Supervision")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="Training (CPD)")).to_have_count(0)  # peer leads: no CPD right
    assert_fits(page)

    page.goto("/people")
    page.get_by_label("In post").select_option("no")
    page.get_by_role("button", name="Find").click()
    expect(page.get_by_role("link", name=f"Priya {world['tag']}")).to_have_count(0)
    assert_fits(page)


def test_hr_sees_retention_imports_and_compliance_warnings(
        new_page: Callable[[], Page], live: LiveServer, world: dict) -> None:
    page = sign_in(new_page(), world["hr"]["email"], world["password"])
    items = home_matches_api(page, live, world["hr"]["token"])
    kinds = {i["kind"] for i in items}
    assert {"retention.headline", "workforce.import", "cpd.lapsed", "cpd.induction_late"} <= kinds
    assert not kinds & {"community.confirmed", "community.no_facilitator", "supervision.overdue"}
    headline = next(i for i in items if i["kind"] == "retention.headline")
    assert headline["title"].startswith("3 in post in lived-experience roles")
    follow_each_link(page, items)

    page.goto(f"/people/{world['psw']['person_id']}")
    expect(page.get_by_role("heading", level=2, name="Training (CPD)")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="Supervision")).to_have_count(0)  # HR: no supervision right

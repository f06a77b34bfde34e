"""axe-core finds no serious or critical problems on the training screens, on a phone (390 px)
and a desktop (1280 px), and they fit the phone's width: the list, the schedule form, a run's
page just scheduled (with its booking and cancel forms) and the trainer pool."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import WIDTHS, assert_accessible, demo_email, sign_in

pytestmark = pytest.mark.e2e

PSW = demo_email("northfield-nhs", "psw")
PEER_LEAD = demo_email("northfield-nhs", "peer_lead")


def _training(page: Page) -> None:
    sign_in(page, PSW)
    page.goto("/training")
    expect(page.get_by_role("heading", level=1)).to_have_text("Training")


def _schedule_form(page: Page) -> None:
    sign_in(page, PEER_LEAD)
    page.goto("/training/new")
    expect(page.get_by_role("heading", level=1)).to_have_text("Schedule a course")


def _run_scheduled(page: Page) -> None:
    _schedule_form(page)
    page.get_by_label("First session", exact=True).fill((date.today() + timedelta(days=20)).isoformat())
    page.get_by_label("How many (1 for a one-off)").fill("2")
    page.get_by_label("Place (in person)").fill("Training room, Willow site")
    page.get_by_role("button", name="Schedule").click()
    expect(page.get_by_role("heading", level=2, name="Sessions")).to_be_visible()
    expect(page.get_by_role("button", name="Cancel the course run")).to_be_visible()


def _trainer_pool(page: Page) -> None:
    sign_in(page, PEER_LEAD)
    page.goto("/training/trainers")
    expect(page.get_by_role("heading", level=1)).to_have_text("Trainer pool")


SCREENS = {"training": _training, "schedule-form": _schedule_form, "run-scheduled": _run_scheduled,
           "trainer-pool": _trainer_pool}


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("screen", SCREENS)
def test_no_serious_axe_violations(page: Page, screen: str, width: str) -> None:
    page.set_viewport_size(WIDTHS[width])
    SCREENS[screen](page)
    assert_accessible(page, screen, width)

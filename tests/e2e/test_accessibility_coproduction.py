"""axe-core finds no serious or critical problems on the co-production screens, on a phone
(390 px) and a desktop (1280 px), and they fit the phone's width: the policy with its people,
the record-an-activity form, an activity just recorded on it, the list, payments due and a
person's own record."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import WIDTHS, assert_accessible, demo_email, sign_in

pytestmark = pytest.mark.e2e

HR = demo_email("northfield-nhs", "hr")
PSW = demo_email("northfield-nhs", "psw")


def _policy(page: Page) -> None:
    sign_in(page, HR)
    page.goto("/coproduction/policy")
    expect(page.get_by_role("heading", level=1)).to_have_text("Involvement policy")


def _policy_saved_with_someone_added(page: Page) -> None:
    _policy(page)
    page.get_by_label("Co-designing a service", exact=True).fill("20.00")
    page.get_by_label("Interview panel", exact=True).fill("15")
    page.get_by_role("button", name="Save the policy").click()
    expect(page.get_by_role("status")).to_contain_text("The involvement policy is saved")
    page.get_by_label("Name", exact=True).fill("Robin Expert")
    page.get_by_label("Email", exact=True).fill(f"robin-{uuid.uuid4().hex[:8]}@experts.example")
    page.get_by_label("Payment preference", exact=True).last.select_option("voucher")
    page.get_by_role("button", name="Add").last.click()
    expect(page.get_by_role("row", name="Robin Expert").first).to_be_visible()


def _record_form(page: Page) -> None:
    sign_in(page, HR)
    page.goto("/coproduction/new")
    expect(page.get_by_role("heading", level=1)).to_have_text("Record an activity")


def _activity_recorded(page: Page) -> None:
    _policy_saved_with_someone_added(page)
    page.goto("/coproduction/new")
    page.get_by_label("Title", exact=True).fill("Co-designing the crisis pathway")
    page.get_by_label("Held on", exact=True).fill("2026-03-04")
    page.get_by_label("Person 1", exact=True).select_option(label="Robin Expert")
    page.get_by_label("Hours").first.fill("2.5")
    page.get_by_label("Expenses (£)").first.fill("6.40")
    page.get_by_role("button", name="Record").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Co-designing the crisis pathway")
    expect(page.get_by_role("table")).to_contain_text("50.00")


def _activities(page: Page) -> None:
    sign_in(page, HR)
    page.goto("/coproduction")
    expect(page.get_by_role("heading", level=1)).to_have_text("Co-production")


def _payments_due(page: Page) -> None:
    sign_in(page, HR)
    page.goto("/coproduction/finance?start=2026-01-01&end=2026-12-31")
    expect(page.get_by_role("heading", level=1)).to_have_text("Involvement payments due")


def _mine(page: Page) -> None:
    sign_in(page, PSW)
    page.goto("/coproduction/mine")
    expect(page.get_by_role("heading", level=1)).to_have_text("My involvement")


SCREENS = {"policy": _policy_saved_with_someone_added, "record-form": _record_form,
           "activity-recorded": _activity_recorded, "activities": _activities, "payments-due": _payments_due,
           "mine": _mine}


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("screen", SCREENS)
def test_no_serious_axe_violations(page: Page, screen: str, width: str) -> None:
    page.set_viewport_size(WIDTHS[width])
    SCREENS[screen](page)
    assert_accessible(page, screen, width)

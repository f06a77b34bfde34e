"""Signing in and out in a real browser."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from peerwork.demo import DEMO_PASSWORD
from tests.e2e.browser import NORTHFIELD, demo_email, enter_code, sign_in

pytestmark = pytest.mark.e2e

ON_LOGIN = re.compile(r"/login(\?.*)?$")


def test_sign_in_and_out(page: Page, live_server: str) -> None:
    hr = demo_email("northfield-nhs", "hr")

    page.goto("/")
    expect(page).to_have_url(ON_LOGIN)
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")

    page.get_by_label("Email address").fill(hr)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("do not match")
    expect(page).to_have_url(ON_LOGIN)
    expect(page.get_by_label("Email address")).to_have_value(hr)
    expect(page.get_by_label("Password")).to_have_attribute("aria-invalid", "true")

    sign_in(page, hr)
    expect(page).to_have_url(f"{live_server}/")
    expect(page.locator(".site-header")).to_contain_text(NORTHFIELD["name"])
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="People", exact=True)).to_be_visible()
    expect(nav.get_by_role("link", name="Import staff records", exact=True)).to_be_visible()
    expect(nav.get_by_role("link", name="Home", exact=True)).to_have_attribute("aria-current", "page")

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(ON_LOGIN)
    expect(page.get_by_role("navigation", name="Main")).to_have_count(0)
    page.goto("/")
    expect(page).to_have_url(ON_LOGIN)


def test_sign_in_returns_to_the_page_asked_for(page: Page, live_server: str) -> None:
    page.goto("/profile")
    expect(page).to_have_url(re.compile(r"/login\?next=/profile$"))
    page.get_by_label("Email address").fill(demo_email("northfield-nhs", "hr"))
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/login/code\?next=/profile$"))  # HR needs a second factor
    enter_code(page, demo_email("northfield-nhs", "hr"))
    expect(page).to_have_url(f"{live_server}/profile")
    expect(page.get_by_role("heading", level=1)).to_have_text("My profile")

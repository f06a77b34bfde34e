"""Accessibility: axe-core finds no serious or critical problems, and the keyboard path works."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import blocking_violations, demo_email, sign_in, write_csv

pytestmark = pytest.mark.e2e

HR = demo_email("northfield-nhs", "hr")
PSW = demo_email("northfield-nhs", "psw")


def _login(page: Page, tmp_path: Path) -> None:
    page.goto("/login")


def _login_with_error(page: Page, tmp_path: Path) -> None:
    page.goto("/login")
    # An address with no account, so the demo HR login is never throttled by this test.
    page.get_by_label("Email address").fill("nobody@northfield.example")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_be_visible()


def _home(page: Page, tmp_path: Path) -> None:
    sign_in(page, HR)


def _people(page: Page, tmp_path: Path) -> None:
    sign_in(page, HR)
    page.goto("/people")
    expect(page.get_by_role("table")).to_be_visible()


def _import_with_errors(page: Page, tmp_path: Path) -> None:
    sign_in(page, HR)
    page.goto("/import")
    csv = write_csv(tmp_path / "problems.csv",
                    "A11Y1-1,A11Y1,Peer Support Worker,Y,4,Willow Ward,2024-01-15,,,1",
                    "A11Y2-1,A11Y2,Peer Support Worker,maybe,4,Willow Ward,not a date,,,1")
    page.get_by_label("CSV file").set_input_files(csv)
    page.get_by_role("button", name="Upload").click()  # dry run is ticked by default
    expect(page.locator(".result").get_by_role("alert")).to_contain_text("line 3")


def _profile(page: Page, tmp_path: Path) -> None:
    sign_in(page, HR)
    page.goto("/profile")
    page.get_by_label("Label for a new token").fill("a11y check")
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_role("status")).to_contain_text("shown only once")


def _forbidden(page: Page, tmp_path: Path) -> None:
    sign_in(page, PSW)
    page.goto("/people")
    expect(page.get_by_role("heading", level=1)).to_contain_text("You do not have access")


SCREENS = {
    "login": _login,
    "login-with-error": _login_with_error,
    "home": _home,
    "people": _people,
    "import-with-errors": _import_with_errors,
    "profile-with-token": _profile,
    "forbidden": _forbidden,
}


@pytest.mark.parametrize("screen", SCREENS)
def test_no_serious_axe_violations(page: Page, tmp_path: Path, screen: str) -> None:
    SCREENS[screen](page, tmp_path)
    problems = blocking_violations(page)
    assert not problems, f"axe found serious/critical problems on {screen} ({page.url}):\n" + "\n".join(problems)


def test_first_tab_reaches_the_skip_link_and_it_moves_focus_to_main(page: Page) -> None:
    page.goto("/login")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()  # visible when focused, not left off-screen
    page.keyboard.press("Enter")
    expect(page.get_by_role("main")).to_be_focused()

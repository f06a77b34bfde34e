"""Two-step sign-in in a real browser: a peer support worker turns it on from their security page,
signs out, and from then on signs in with their password and then a code."""

from __future__ import annotations

import re
import secrets

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import (
    CreatedAccount, LiveServer, authenticator_code, blocking_violations, demo_email, enter_code, sign_in,
)
from tests.e2e.conftest import _peerwork

pytestmark = pytest.mark.e2e

ON_CODE_STEP = re.compile(r"/login/code(\?.*)?$")
RECOVERY_CODE = re.compile(r"^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$")


def _new_psw(live: LiveServer) -> CreatedAccount:
    """A peer support worker made with ``peerwork users create``, named so that other tests
    choosing "E2E" accounts from lists never pick this one."""
    email = f"mfa-psw-{secrets.token_hex(4)}@northfield.example"
    password = secrets.token_urlsafe(18)
    _peerwork(live.env, "users", "create", "--org", "northfield-nhs", "--email", email, "--role", "psw",
              "--name", "Two-step tester", "--password-stdin", stdin=password + "\n")
    return CreatedAccount(email=email, password=password, api_token="")


def test_a_psw_turns_on_two_step_sign_in_then_signs_in_with_password_and_code(
        page: Page, live: LiveServer, live_server: str) -> None:
    psw = _new_psw(live)
    sign_in(page, psw.email, psw.password)  # no code yet: straight in
    expect(page).to_have_url(f"{live_server}/")

    page.goto("/profile/security")
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-step sign-in")
    expect(page.locator("#mfa-status")).to_have_text("Off")
    page.get_by_role("button", name="Set up two-step sign-in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-step sign-in")
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    key = page.locator("#totp-key").inner_text().replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{32}", key), key
    code = page.get_by_label("Code from your authenticator app")
    expect(code).to_have_attribute("autocomplete", "one-time-code")
    expect(code).to_have_attribute("inputmode", "numeric")
    assert blocking_violations(page) == []
    code.fill("12345")
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page.get_by_role("alert")).to_contain_text("6-digit code")
    expect(page.locator("#totp-key")).to_have_text(re.compile(key[:4]))  # the same key, to try again
    page.get_by_label("Code from your authenticator app").fill(authenticator_code(psw.email, key))
    page.get_by_role("button", name="Turn on two-step sign-in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Save your recovery codes")
    codes = page.get_by_role("list", name="Recovery codes").get_by_role("listitem").all_inner_texts()
    assert len(codes) == 10 and all(RECOVERY_CODE.match(c) for c in codes), codes
    page.get_by_role("button", name="I have saved these codes").click()
    expect(page).to_have_url(f"{live_server}/profile/security?done=on")
    expect(page.get_by_role("status")).to_contain_text("Two-step sign-in is on")
    expect(page.locator("#mfa-status")).to_contain_text("On since")

    page.get_by_role("button", name="Sign out").click()
    page.goto("/profile")
    page.get_by_label("Email address").fill(psw.email)
    page.get_by_label("Password").fill(psw.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(ON_CODE_STEP)
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    expect(page.get_by_role("navigation", name="Main")).to_have_count(0)  # not signed in yet
    assert blocking_violations(page) == []

    page.get_by_label("Code from your authenticator app").fill("abc")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("alert")).to_contain_text("6-digit code")
    page.goto("/profile")  # still not signed in: back to the sign-in form
    expect(page).to_have_url(re.compile(r"/login\?next=/profile$"))
    page.goto("/login/code?next=/profile")

    enter_code(page, psw.email)
    expect(page).to_have_url(f"{live_server}/profile")
    expect(page.get_by_role("heading", level=1)).to_have_text("My profile")
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()


def test_demo_hr_signs_in_with_the_demo_authenticator_key(page: Page, live_server: str) -> None:
    page.goto("/login")
    page.get_by_label("Email address").fill(demo_email("northfield-nhs", "hr"))
    page.get_by_label("Password").fill("peer-support-demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(ON_CODE_STEP)
    page.goto("/people")  # the password alone reaches nothing
    expect(page).to_have_url(re.compile(r"/login\?next=/people$"))
    page.goto("/login/code")
    enter_code(page, demo_email("northfield-nhs", "hr"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    page.goto("/profile/security")
    expect(page.locator("#mfa-status")).to_contain_text("On")
    expect(page.get_by_text("cannot be turned off")).to_be_visible()

"""Getting in, in a real browser, with mail through a real SMTP server: an invitation becomes a
password and a signed-in person; a password reset signs out every other browser."""

from __future__ import annotations

import email
import re
import secrets
from email import policy

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.browser import LiveServer
from tests.e2e.conftest import _peerwork
from tests.mailserver import SmtpServer

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "harbour violet thimble orchard"
NEWER_PASSWORD = "saddle pumpkin glacier ribbon"


def link_sent_to(mailbox: SmtpServer, address: str, path: str) -> str:
    """The link in the latest message the SMTP server received for ``address``."""
    for raw in reversed(mailbox.received):
        message = email.message_from_bytes(raw, policy=policy.default)
        if address in message["To"]:
            body = message.get_body(preferencelist=("plain",)).get_content()
            return re.search(rf"(https?://\S+/{path}/[A-Za-z0-9_\-]+)", body).group(1)
    raise AssertionError(f"no message for {address} reached the SMTP server")


def test_invitation_by_email_then_a_reset_that_signs_out_other_browsers(
        browser: Browser, live: LiveServer, mailbox: SmtpServer) -> None:
    address = f"invited-{secrets.token_hex(4)}@northfield.example"  # not "E2E": other tests pick those by name
    out = _peerwork(live.env, "users", "invite", "--org", "northfield-nhs", "--email", address, "--role", "psw")
    assert address in out and "/invitations/" not in out  # counts and addresses, never the link
    _peerwork(live.env, "mail", "send")
    invitation = link_sent_to(mailbox, address, "invitations")
    assert invitation.startswith(live.url)

    first = browser.new_context(base_url=live.url).new_page()
    first.goto(invitation)
    expect(first.get_by_role("heading", level=1)).to_have_text("Choose your password")
    expect(first.get_by_text(address)).to_be_visible()
    first.get_by_label("Password", exact=True).fill("password1234")
    first.get_by_label("Type it again").fill("password1234")
    first.get_by_role("button", name="Set password and sign in").click()
    expect(first.get_by_role("alert")).to_contain_text("common password")
    first.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    first.get_by_label("Type it again").fill(NEW_PASSWORD)
    first.get_by_role("button", name="Set password and sign in").click()
    expect(first).to_have_url(f"{live.url}/")
    expect(first.get_by_role("navigation", name="Main")).to_be_visible()

    first.goto(invitation)  # a second use is refused, with what to do instead
    expect(first.get_by_role("heading", level=1)).to_have_text("This link cannot be used")
    expect(first.get_by_text("already been used")).to_be_visible()

    second = browser.new_context(base_url=live.url).new_page()
    second.goto("/password/forgot")
    second.get_by_label("Your email address").fill(address)
    second.get_by_role("button", name="Email me a reset link").click()
    expect(second.get_by_role("status")).to_contain_text("If that address has a peerwork account")
    _peerwork(live.env, "mail", "send")
    second.goto(link_sent_to(mailbox, address, "password/reset"))
    second.get_by_label("New password").fill(NEWER_PASSWORD)
    second.get_by_label("Type it again").fill(NEWER_PASSWORD)
    second.get_by_role("button", name="Set password and sign in").click()
    expect(second).to_have_url(f"{live.url}/")

    first.goto("/profile")  # the other browser was signed out by the reset
    expect(first).to_have_url(re.compile(r"/login\?next=/profile$"))
    _sign_in(first, address, NEWER_PASSWORD)
    expect(first.get_by_role("heading", level=1)).to_have_text("My profile")


def _sign_in(page: Page, address: str, password: str) -> None:
    page.get_by_label("Email address").fill(address)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()

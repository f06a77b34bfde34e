"""Signing in with a work account, in a browser: peerwork's sign-in page, a real OpenID Connect
provider's own login and consent pages (node oidc-provider on loopback), and back, signed in."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import NORTHFIELD, LiveServer, blocking_violations, demo_email, main_nav
from tests.oidc.fixture import HERE, ProviderAccount, Provider, running_provider


def _configure(live: LiveServer, *args: str, stdin: str = "") -> None:
    done = subprocess.run([sys.executable, str(HERE / "configure.py"), "--org", NORTHFIELD["slug"], *args],
                          env=live.env, input=stdin, capture_output=True, text=True, timeout=60, check=False)
    if done.returncode != 0:
        pytest.fail(f"configure.py {' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")


@pytest.fixture(scope="module")
def work_account(live: LiveServer) -> ProviderAccount:
    return ProviderAccount("northfield-psw", demo_email(NORTHFIELD["slug"], "psw"), name="Demo PSW")


@pytest.fixture(scope="module")
def northfield_sso(live: LiveServer, work_account: ProviderAccount,
                   tmp_path_factory: pytest.TempPathFactory) -> Iterator[Provider]:
    """Northfield signs people in through the provider while this module runs."""
    with running_provider([f"{live.url}/login/sso/callback"], [work_account],
                          tmp_path_factory.mktemp("oidc-e2e")) as provider:
        _configure(live, "--issuer", provider.issuer, "--client-id", provider.client_id,
                   stdin=provider.client_secret + "\n")
        try:
            yield provider
        finally:
            _configure(live, "--remove")


def test_a_person_signs_in_with_their_work_account(page: Page, northfield_sso: Provider,
                                                   work_account: ProviderAccount) -> None:
    page.goto("/login")
    assert blocking_violations(page) == []
    page.get_by_role("link", name=re.compile(rf"^Sign in with your work account.*{NORTHFIELD['name']}")).click()

    # The provider's own development login page, then its consent page.
    expect(page).to_have_url(re.compile(rf"^{re.escape(northfield_sso.issuer)}/interaction/"))
    page.locator("input[name=login]").fill(work_account.sub)
    page.locator("input[name=password]").fill("any password")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    expect(page).to_have_url(re.compile(r"^http://127\.0\.0\.1:\d+/$"))
    expect(main_nav(page).get_by_role("link", name="My profile")).to_be_visible()
    page.goto("/profile")
    expect(page.get_by_text(work_account.email)).to_be_visible()


def test_a_refused_sign_in_says_what_to_do_next(page: Page, northfield_sso: Provider) -> None:
    """Cancelling at the provider brings the person back to a page that says what happened."""
    page.goto("/login")
    page.get_by_role("link", name=re.compile(r"^Sign in with your work account")).first.click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(northfield_sso.issuer)}/interaction/"))
    page.get_by_role("link", name=re.compile("Cancel", re.I)).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Single sign-on did not work")
    expect(page.get_by_text("cancelled or refused")).to_be_visible()
    assert blocking_violations(page) == []

"""What each role sees: the navigation follows rights, and the pages enforce them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import demo_email

pytestmark = pytest.mark.e2e


def test_peer_support_worker_sees_no_staff_records(signed_in: Callable[[str], Page]) -> None:
    page = signed_in(demo_email("northfield-nhs", "psw"))

    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="My profile", exact=True)).to_be_visible()
    expect(nav.get_by_role("link", name="People", exact=True)).to_have_count(0)
    expect(nav.get_by_role("link", name="Import staff records", exact=True)).to_have_count(0)
    expect(page.get_by_role("main").get_by_role("link", name="People", exact=True)).to_have_count(0)

    for path in ("/people", "/import"):
        response = page.goto(path)
        assert response is not None and response.status == 403, f"{path} answered {response and response.status}"
        expect(page.get_by_role("heading", level=1)).to_contain_text("You do not have access")


def test_peer_lead_sees_people_but_cannot_import(signed_in: Callable[[str], Page]) -> None:
    page = signed_in(demo_email("northfield-nhs", "peer_lead"))

    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="People", exact=True)).to_be_visible()
    expect(nav.get_by_role("link", name="Import staff records", exact=True)).to_have_count(0)

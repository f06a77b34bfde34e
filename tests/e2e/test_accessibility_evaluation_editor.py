"""axe-core finds no serious or critical problems on the training lead's questionnaire pages
(the list with its create, choose and send forms; a form showing an error; the edit page), on
a phone and a desktop."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import WIDTHS, assert_accessible, demo_email, sign_in

pytestmark = pytest.mark.e2e

PEER_LEAD = demo_email("northfield-nhs", "peer_lead")


def _list(page: Page) -> None:
    sign_in(page, PEER_LEAD)
    page.goto("/evaluation")
    page.get_by_role("link", name="Questionnaires").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Questionnaires")


def _error(page: Page) -> None:
    _list(page)
    page.get_by_label("Title").fill("Foundations")
    page.get_by_label("Items").fill("question: What helped?")
    page.get_by_role("button", name="Save questionnaire").click()
    expect(page.get_by_role("alert")).to_contain_text("line 1 must start with")


def _edit(page: Page) -> None:
    _list(page)
    title = f"Foundations {uuid.uuid4().hex[:6]}"
    page.get_by_label("Title").fill(title)
    page.get_by_label("Items").fill("likert: I feel confident using my lived experience at work\ntext: What helped?")
    page.get_by_role("button", name="Save questionnaire").click()
    expect(page.get_by_role("status")).to_contain_text("Questionnaire saved as version 1.")
    page.get_by_role("link", name=f"Edit {title}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Edit {title}")


SCREENS = {"questionnaires": _list, "questionnaire-error": _error, "questionnaire-edit": _edit}


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("screen", SCREENS)
def test_no_serious_axe_violations(page: Page, screen: str, width: str) -> None:
    page.set_viewport_size(WIDTHS[width])
    SCREENS[screen](page)
    assert_accessible(page, screen, width, fits=False)  # axe only: these pages were never held to the width

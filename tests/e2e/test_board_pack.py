"""HR finds the board pack from the retention page and downloads a dated PDF of it."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import blocking_violations, demo_email, sign_in

pytestmark = pytest.mark.e2e

HR = demo_email("northfield-nhs", "hr")


def test_hr_reaches_the_board_pack_from_retention_and_downloads_the_pdf(page: Page) -> None:
    sign_in(page, HR)
    page.goto("/retention")
    page.locator("#main").get_by_role("link", name="Board pack").click()  # the page's own link, not the menu's
    expect(page.get_by_role("heading", level=1)).to_have_text("Board pack")
    problems = blocking_violations(page)
    assert not problems, "axe found serious/critical problems on /board-pack:\n" + "\n".join(problems)
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="Download PDF").click(timeout=60_000)  # a pack takes seconds to make
    assert download.value.suggested_filename == f"board-pack-northfield-nhs-{date.today().isoformat()}.pdf"
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

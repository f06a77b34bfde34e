"""HR imports staff records through the browser: a dry run that reports problems, then a real import."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.browser import demo_email, write_csv

pytestmark = pytest.mark.e2e


def summary_value(page: Page, term: str) -> Locator:
    """The <dd> paired with a <dt> in the import result summary."""
    return page.locator(".result dl.summary > div").filter(
        has=page.locator("dt", has_text=re.compile(f"^{re.escape(term)}$"))
    ).locator("dd")


def test_dry_run_reports_bad_rows_then_a_good_file_imports(
    signed_in: Callable[[str], Page], tmp_path: Path
) -> None:
    # A unique employee so the real import creates exactly one assignment, however often this runs.
    employee = f"E2E{uuid.uuid4().hex[:8].upper()}"
    good = f"{employee}-1,{employee},Peer Support Worker,Y,4,Willow Ward,2024-01-15,,,1"
    bad = f"{employee}X-1,{employee}X,Peer Support Worker,Y,4,Willow Ward,31/13/2024,,,1"
    mixed = write_csv(tmp_path / "mixed.csv", good, bad)
    valid = write_csv(tmp_path / "valid.csv", good)

    page = signed_in(demo_email("northfield-nhs", "hr"))
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Import staff records").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import staff records")

    dry_run = page.get_by_label("Dry run")
    expect(dry_run).to_be_checked()
    page.get_by_label("CSV file").set_input_files(mixed)
    page.get_by_role("button", name="Upload").click()

    result = page.locator(".result")
    expect(result.get_by_role("heading", level=2)).to_have_text("Dry run of mixed.csv: nothing was changed")
    problems = result.get_by_role("alert")
    expect(problems).to_contain_text("line 3: start_date: '31/13/2024' is not a date")
    expect(problems).not_to_contain_text("line 2")
    expect(summary_value(page, "Rows in file")).to_have_text("2")
    expect(summary_value(page, "Would create")).to_have_text("1")
    expect(summary_value(page, "Rows with problems")).to_have_text("1")

    # Nothing was written: the person is still unknown.
    page.goto("/people?page=1")
    expect(page.get_by_role("cell", name=employee, exact=True)).to_have_count(0)

    page.goto("/import")
    dry_run.uncheck()
    page.get_by_label("CSV file").set_input_files(valid)
    page.get_by_role("button", name="Upload").click()

    expect(result.get_by_role("heading", level=2)).to_have_text("Imported valid.csv")
    expect(summary_value(page, "Created")).to_have_text("1")
    expect(summary_value(page, "New people")).to_have_text("1")
    expect(summary_value(page, "Rows with problems")).to_have_text("0")
    expect(result.get_by_role("alert")).to_have_count(0)


def test_upload_without_a_file_is_explained(signed_in: Callable[[str], Page]) -> None:
    page = signed_in(demo_email("northfield-nhs", "hr"))
    page.goto("/import")
    # The browser's own "required" check would stop the form; a person with an old browser gets here.
    page.get_by_label("CSV file").evaluate("input => input.removeAttribute('required')")
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose a CSV file to upload.")

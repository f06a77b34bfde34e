"""Help with the import file: the page lists what the importer checks, the template downloads
and imports cleanly, and the progress bar counts data rows (not the header)."""

from __future__ import annotations

import html
from pathlib import Path

from peerwork.workforce.csv_rows import COLUMN_SPECS, DATE_HELP, template_csv
from peerwork.workforce.importer import import_assignments
from peerwork.workforce.rules import DATE_FORMATS
from tests.factories import csv_text, make_org
from tests.integration.web.test_forms import csrf_from, signed_in

DOCUMENTED_TEMPLATE = Path(__file__).resolve().parents[3] / "docs" / "assignments-template.csv"


async def test_the_import_page_lists_every_column_and_date_format(client):
    await signed_in(client, "hr")
    page = await client.get("/import")
    assert page.status_code == 200
    text = html.unescape(page.text)
    for column in COLUMN_SPECS:
        shown = f"<code>{column.name}</code> {'<strong>(required)</strong>' if column.required else '(optional)'}"
        assert shown in text, column.name
        assert f"{column.meaning}. Accepted: {column.accepted}." in text
    assert DATE_HELP in text and all(f in text for f in DATE_FORMATS)
    assert '<a href="/import/assignments-template.csv" download>' in text


async def test_the_template_downloads_as_an_attachment(client):
    await signed_in(client, "hr")
    response = await client.get("/import/assignments-template.csv")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="assignments-template.csv"'
    assert response.text == template_csv()
    assert response.text.splitlines() == DOCUMENTED_TEMPLATE.read_text().splitlines()


async def test_the_template_is_for_those_who_import(client):
    assert (await client.get("/import/assignments-template.csv", follow_redirects=False)).status_code in (302, 303, 401)
    await signed_in(client, "psw")
    assert (await client.get("/import/assignments-template.csv")).status_code == 403


async def test_the_page_still_lists_the_columns_after_an_upload_with_problems(client):
    await signed_in(client, "hr")
    shown = await client.get("/import")
    bad = csv_text("A1,E1,Peer Support Worker,Y,4,Willow Ward,2024-13-01,,,1")
    response = await client.post("/import", data={"_csrf_token": csrf_from(shown.text), "dry_run": "yes"},
                                 files={"file": ("staff.csv", bad.encode(), "text/csv")})
    assert response.status_code == 422
    text = html.unescape(response.text)
    assert "line 2: start_date: '2024-13-01' is not a date (use YYYY-MM-DD or DD/MM/YYYY)" in text
    assert "<code>line_manager_assignment_number</code>" in text


async def test_the_template_imports_without_a_problem():
    org = await make_org()
    report = await import_assignments(org.id, template_csv().encode())
    assert (report.rows, report.created, report.errors) == (4, 4, [])


async def test_progress_counts_data_rows_good_and_bad_but_not_the_header_or_blank_lines():
    org = await make_org()
    data = csv_text("A1,E1,Peer Support Worker,Y,4,Willow Ward,2024-01-01,,,1",
                    "",
                    "A2,E2,Peer Support Worker,Y,4,Willow Ward,not a date,,,1",
                    "A3,E3,too,few,fields",
                    "A4,E4,Peer Lead,Y,7,Oak Ward,01/02/2023,,,1")
    seen: list[tuple[str, int, int]] = []
    report = await import_assignments(org.id, data.encode(), dry_run=True,
                                      progress=lambda phase, done, total: seen.append((phase, done, total)))
    assert report.rows == 4
    checks = [(done, total) for phase, done, total in seen if phase == "check"]
    assert checks == [(1, 4), (2, 4), (3, 4), (4, 4)]

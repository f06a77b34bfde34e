"""The board pack over HTTP: the API and the page's downloads, their rights, dated filenames and
problem details on bad input."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from peerwork.core.tables import AuditLog
from tests.factories import make_org, make_user
from tests.integration.web.test_forms import signed_in

TODAY = date.today()


async def test_hr_downloads_the_pack_as_pdf_or_html_with_a_dated_filename(client):
    org = await make_org("north")
    hr = await make_user(org, "hr")
    as_of = TODAY - timedelta(days=10)
    pdf = await client.get(f"/api/v1/board-pack?as_of={as_of.isoformat()}", headers=hr.headers)
    assert pdf.status_code == 200, pdf.text
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    assert pdf.headers["content-disposition"] == f'attachment; filename="board-pack-north-{as_of.isoformat()}.pdf"'
    html = await client.get("/api/v1/board-pack?format=html", headers=hr.headers)
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert html.headers["content-disposition"] == f'attachment; filename="board-pack-north-{TODAY.isoformat()}.html"'
    assert "North Trust: peer support workforce board pack" in html.text
    assert await AuditLog.count().where((AuditLog.table_name == "board_pack") & (AuditLog.action == "export")) == 2


@pytest.mark.parametrize(("query", "status", "says"), [
    ("format=docx", 422, "format: use one of pdf, html"),
    ("as_of=2999-01-01", 422, "future"),
    ("as_of=2026-02-30", 400, "as_of"),
    ("as_of=yesterday", 400, "as_of"),
])
async def test_bad_input_is_a_problem_detail(client, query, status, says):
    hr = await make_user(await make_org("north"), "hr")
    response = await client.get(f"/api/v1/board-pack?{query}", headers=hr.headers)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert says in response.text


@pytest.mark.parametrize("role", ["psw", "supervisor", "peer_lead"])
async def test_peer_workers_supervisors_and_peer_leads_are_refused(client, role):
    user = await make_user(await make_org("north"), role)
    assert (await client.get("/api/v1/board-pack?format=html", headers=user.headers)).status_code == 403
    assert await AuditLog.count().where(AuditLog.table_name == "board_pack") == 0


async def test_the_page_offers_the_pack_and_its_downloads_work(client):
    await signed_in(client, "hr")
    page = await client.get("/board-pack")
    assert page.status_code == 200
    assert 'action="/board-pack.pdf"' in page.text and 'formaction="/board-pack.html"' in page.text
    retention = await client.get("/retention")
    assert 'href="/board-pack"' in retention.text
    pdf = await client.get(f"/board-pack.pdf?as_of={TODAY.isoformat()}")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert pdf.headers["content-disposition"] == f'attachment; filename="board-pack-north-{TODAY.isoformat()}.pdf"'
    bad = await client.get("/board-pack.html?as_of=31/02/2026")
    assert bad.status_code == 422 and "as_of: use a date like" in bad.text


async def test_a_peer_lead_sees_no_board_pack_button_and_no_page(client):
    await signed_in(client, "peer_lead")
    assert 'href="/board-pack"' not in (await client.get("/retention")).text
    assert (await client.get("/board-pack")).status_code == 403
    assert (await client.get("/board-pack.pdf")).status_code == 403

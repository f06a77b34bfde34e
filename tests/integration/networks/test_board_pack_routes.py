"""The board pack over HTTP: the API and the page's downloads, their rights, dated filenames and
problem details on bad input."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from peerwork.core.tables import AuditLog
from peerwork.networks import service
from tests.factories import PASSWORD, make_org, make_user
from tests.integration.web.test_forms import csrf_from, signed_in


async def sign_in(client, email: str) -> None:
    form = await client.get("/login")
    response = await client.post("/login", data={"email": email, "password": PASSWORD, "next": "/",
                                                 "_csrf_token": csrf_from(form.text)}, follow_redirects=False)
    assert response.status_code == 303, response.text

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


async def test_a_network_lead_finds_the_networks_pack_on_the_page_and_downloads_it(client, world):
    lead = await make_user(world["south"], "peer_lead", email="page.lead@south.example", password=PASSWORD)
    await service.grant_lead(world["callers"]["host_admin"].principal, "bay", lead.email, "south")
    await sign_in(client, lead.email)
    page = await client.get("/board-pack")
    assert page.status_code == 200
    assert 'action="/networks/bay/board-pack.pdf"' in page.text and 'id="organisation-pack"' not in page.text
    assert 'href="/networks/bay/board-pack.pdf?as_of=' in (await client.get("/networks/bay")).text
    pdf = await client.get("/networks/bay/board-pack.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert (await client.get("/networks/fen/board-pack.html")).status_code == 404


async def test_a_network_lead_gets_the_networks_pack_and_no_other_networks(client, world):
    callers = world["callers"]
    lead = callers["lead_bay"]
    response = await client.get("/api/v1/networks/bay/board-pack?format=html", headers=lead.headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-disposition"] == f'attachment; filename="board-pack-bay-{TODAY.isoformat()}.html"'
    assert "North Trust" in response.text and "South Trust" in response.text
    assert "East Trust" not in response.text  # fen's member
    # Another network's lead, and a bay member's HR (no network right): refused, bay not revealed.
    other = await client.get("/api/v1/networks/bay/board-pack?format=html", headers=callers["lead_fen"].headers)
    assert other.status_code == 404 and "North" not in other.text
    assert (await client.get("/api/v1/networks/bay/board-pack", headers=callers["member_hr"].headers)).status_code == 403
    assert (await client.get("/api/v1/networks/nowhere/board-pack", headers=lead.headers)).status_code == 404
    bad = await client.get("/api/v1/networks/bay/board-pack?format=xls", headers=lead.headers)
    assert bad.status_code == 422 and "format" in bad.text
    exported = await AuditLog.select(AuditLog.account, AuditLog.record_id).where(AuditLog.table_name == "board_pack")
    assert exported == [{"account": lead.principal.account_id, "record_id": str(world["bay"])}]

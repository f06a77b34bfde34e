"""The board pack on the demo: its PDF's text carries every figure the figures give (as JSON,
the API's form), charts stay vector, and only HR and admins get their organisation's pack."""

from __future__ import annotations

import json
import re
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest

from peerwork.core import accounts
from peerwork.core.access import system_principal
from peerwork.core.errors import InvalidInput, PermissionDenied
from peerwork.core.tables import Account, AuditLog
from peerwork.demo import NETWORK, load_demo
from peerwork.demo.network import LEAD
from peerwork.networks.board_pack import (
    export_network_pack,
    export_organisation_pack,
    network_id_by_slug,
)
from peerwork.workforce.organisations import organisation_by_slug
from tests.factories import make_org, make_user

TODAY = date.today()
SECTIONS = ("1. Retention", "2. The seven supports", "3. Supervision and CPD", "4. Recruitment", "5. Trends",
            "6. Definitions")


def pct(value: float | None) -> str:
    """As the pack prints a share: one decimal and %, or – when withheld."""
    return "–" if value is None else f"{value * 100:.1f}%"


def num(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "pack.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def sections(text: str) -> dict[str, str]:
    """The text of each numbered section (headings appear once each, in order), and the summary."""
    starts = [text.index(f"\n{heading}") for heading in SECTIONS]
    parts = {"summary": text[:starts[0]]}
    for heading, start, end in zip(SECTIONS, starts, starts[1:] + [len(text)]):
        parts[heading] = text[start:end]
    return parts


def assert_in_order(text: str, tokens: list[str], where: str) -> None:
    """Each token appears in ``text`` after the one before it (tables read row by row)."""
    at = 0
    for number, token in enumerate(tokens):
        found = text.find(token, at)
        assert found >= 0, f"{where}: {token!r} (token {number}) not found after {text[at:at + 200]!r}"
        at = found + len(token)


def expected(units: list[dict]) -> dict[str, list[str]]:
    """What each section must say, in order, from the figures' JSON (pooled first, then members)."""
    summary, retention_members, supports, compliance, funnel = [], [], [], [], []
    for unit in units:
        summary += [unit["headcount"]["shown"], *(pct(r["survival"]) for r in unit["retention"]),
                    pct(unit["supervision_one_to_one"]["share"]), pct(unit["cpd"]["share"])]
        retention_members += [unit["headcount"]["shown"]]
        for r in unit["retention"]:
            retention_members += [pct(r["survival"]), f"({pct(r['cohort_rate'])})"]
        supports += [f"({unit['headcount']['shown']} in post)"]
        for share in unit["supports"]:
            supports += [share["received"]["shown"], pct(share["share"])]
        for key in ("supervision_one_to_one", "supervision_group", "cpd"):
            c = unit[key]
            compliance += [c["people"]["shown"], c["compliant"]["shown"], pct(c["share"])]
        f = unit["recruitment"]
        funnel += [f["posts"]["shown"], f["applications"]["shown"], num(f["applications_per_post"]),
                   f["hires"]["shown"], pct(f["conversion"]), num(f["days_to_hire_mean"], 0),
                   f["decisions"]["shown"], pct(f["compliant_panel_share"])]
    headline = []
    for r in units[0]["retention"]:
        headline += [pct(r["survival"]), f"{pct(r['lower'])} to {pct(r['upper'])}", r["at_risk"]["shown"],
                     pct(r["cohort_rate"]), f"{r['cohort_retained']['shown']} of {r['cohort_eligible']['shown']}"]
    return {"summary": summary, "1. Retention": headline + (retention_members if len(units) > 1 else []),
            "2. The seven supports": supports, "3. Supervision and CPD": compliance, "4. Recruitment": funnel}


def check_every_figure(text: str, units: list[dict]) -> None:
    parts = sections(text)
    for section, tokens in expected(units).items():
        assert_in_order(parts[section], tokens, section)


def raster_images(path: Path) -> list[str]:
    listing = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True).stdout
    return listing.splitlines()[2:]  # after the two header lines: one line per raster image


async def lead_headers() -> dict[str, str]:
    """An API token of the demo network's lead (a login of the VCSE partner)."""
    slug, local = LEAD
    org = await organisation_by_slug(slug)
    account = await Account.select(Account.id).where(Account.email.like(f"{local}@%")).first()
    issued = await accounts.issue_api_token(account["id"], org.id)
    return {"Authorization": f"Bearer {issued.token}"}


async def test_the_network_pack_carries_every_figure_the_api_gives_and_its_charts_are_vector(client, tmp_path):
    await load_demo(TODAY)
    headers = await lead_headers()
    response = await client.get(f"/api/v1/networks/{NETWORK}/board-pack", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-disposition"] == f'attachment; filename="board-pack-{NETWORK}-{TODAY.isoformat()}.pdf"'
    pdf = response.content
    assert pdf.startswith(b"%PDF-")
    (tmp_path / "pack.pdf").write_bytes(pdf)
    assert raster_images(tmp_path / "pack.pdf") == []  # every chart is vector
    text = pdf_text(pdf, tmp_path)

    figures = (await client.get(f"/api/v1/networks/{NETWORK}/figures", headers=headers)).json()
    units = [figures["pooled"], *figures["members"]]
    assert len(units) == 3
    check_every_figure(text, units)
    assert "<5" in text  # the demo's VCSE partner has a support received by fewer than five
    # The national survey's figures, and a data date on every page.
    for reference in figures["references"]:
        assert reference["label"] in text and pct(reference["value"]) in text
    pages = text.split("\f")[:-1]
    assert len(pages) >= 6
    assert all(f"Data as of {TODAY.day} {TODAY:%B %Y}" in page and re.search(r"Page \d+ of \d+", page)
               for page in pages)
    # The charts' own text is text too.
    assert "Years since starting" in text and "Trusts providing it (national survey)" in text
    logged = await AuditLog.select().where((AuditLog.action == "export") & (AuditLog.table_name == "board_pack"))
    assert len(logged) == 1 and logged[0]["record_id"] == str(await network_id_by_slug(NETWORK))


async def test_an_organisations_pack_is_exactly_what_it_shares_and_is_audited(client, tmp_path):
    await load_demo(TODAY)
    org = await organisation_by_slug("open-door")
    hr = await make_user(org, "hr")
    as_of = TODAY - timedelta(days=40)
    response = await client.get(f"/api/v1/board-pack?as_of={as_of.isoformat()}", headers=hr.headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-disposition"] == f'attachment; filename="board-pack-open-door-{as_of.isoformat()}.pdf"'
    text = pdf_text(response.content, tmp_path)
    shared = await client.get(f"/api/v1/networks/{NETWORK}/shared?as_of={as_of.isoformat()}", headers=hr.headers)
    assert shared.status_code == 200, shared.text
    check_every_figure(text, [shared.json()["figures"]])
    assert "Northfield Mental Health" not in text  # only the organisation's own figures
    html, html_name = await export_organisation_pack(hr.principal, as_of, "html")
    assert html_name.endswith(".html") and html.startswith(b"<!doctype html>")
    assert b"data:image/svg+xml;base64," in html
    logged = await AuditLog.select().where(AuditLog.table_name == "board_pack")
    details = [json.loads(row["detail"]) if isinstance(row["detail"], str) else row["detail"] for row in logged]
    assert sorted((row["action"], row["account"], detail["format"], detail["as_of"])
                  for row, detail in zip(logged, details)) == [
        ("export", hr.principal.account_id, "html", as_of.isoformat()),
        ("export", hr.principal.account_id, "pdf", as_of.isoformat())]


async def test_the_command_lines_network_pack_is_the_same_document(tmp_path):
    await load_demo(TODAY)
    html, name = await export_network_pack(await network_id_by_slug(NETWORK), None, "html")
    assert name == f"board-pack-{NETWORK}-{TODAY.isoformat()}.html"
    assert b"Northfield Peer Network: all members pooled" in html


@pytest.mark.parametrize("role", ["psw", "supervisor", "peer_lead"])
async def test_only_hr_and_admins_get_their_organisations_pack(role):
    org = await make_org("north")
    user = await make_user(org, role)
    with pytest.raises(PermissionDenied):
        await export_organisation_pack(user.principal, None, "pdf")
    assert await AuditLog.count().where(AuditLog.table_name == "board_pack") == 0


async def test_a_future_date_or_an_unknown_format_is_refused_before_any_work():
    org = await make_org("north")
    principal = system_principal(org.id, org.slug, org.name)
    with pytest.raises(InvalidInput, match="future"):
        await export_organisation_pack(principal, TODAY + timedelta(days=1), "pdf")
    with pytest.raises(InvalidInput, match="format"):
        await export_organisation_pack(principal, None, "docx")

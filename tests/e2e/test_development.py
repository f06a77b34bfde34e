"""Workforce development in the browser: a peer lead pairs a new starter; a PSW records CPD."""

from __future__ import annotations

import secrets
import subprocess
import sys
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import LiveServer, blocking_violations, demo_email, main_nav, sign_in

pytestmark = pytest.mark.e2e

# Runs inside the live server's environment: a new starter and an experienced peer on a team of
# their own, sharing an interest, each with an account linked to their staff record.
SETUP = """
import asyncio, sys
from datetime import date, timedelta
from peerwork.core.db import close_pool, open_pool, use_database
from peerwork.core.settings import load_settings
from peerwork.pairing.tables import PairingProfile
from peerwork.core import accounts
from peerwork.workforce.importer import import_assignments
from peerwork.workforce.organisations import organisation_by_slug
from peerwork.core.tables import Person

async def main(tag, password):
    engine = use_database(load_settings().database_url)
    await open_pool(engine)
    org = await organisation_by_slug("northfield-nhs")
    today = date.today()
    rows = [f"{tag}-N,{tag}-N,Peer Support Worker,Y,4,Team {tag},{(today - timedelta(days=20)).isoformat()},,,",
            f"{tag}-E,{tag}-E,Senior Peer Support Worker,Y,5,Team {tag},{(today - timedelta(days=900)).isoformat()},,,"]
    header = "assignment_number,person_id,position_title,lived_experience_role,afc_band,team,start_date,end_date,leaving_reason,fte"
    report = await import_assignments(org.id, (header + "\\n" + "\\n".join(rows) + "\\n").encode())
    assert report.ok, report
    for suffix, name in (("N", f"Newton {tag}"), ("E", f"Elder {tag}")):
        person = await Person.select(Person.id).where(Person.employee_number == f"{tag}-{suffix}").first()
        view = await accounts.create_account(org.id, f"{tag.lower()}-{suffix.lower()}@northfield.example", ["psw"],
                                             display_name=name, password=password, person_id=person["id"])
        await PairingProfile(organisation=org.id, account=view.id, interests=[f"interest-{tag.lower()}"],
                             capacity=1).save()
    await close_pool(engine)

asyncio.run(main(sys.argv[1], sys.argv[2]))
"""


def make_pairable_peers(live: LiveServer) -> tuple[str, str, str]:
    tag = "T" + secrets.token_hex(3).upper()
    password = secrets.token_urlsafe(18)
    done = subprocess.run([sys.executable, "-c", SETUP, tag, password], env=live.env, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return tag, f"{tag.lower()}-n@northfield.example", password


def test_peer_lead_gets_pairing_suggestions_with_reasons_and_confirms_one(
    signed_in: Callable[[str], Page], live: LiveServer,
) -> None:
    tag, _, _ = make_pairable_peers(live)
    page = signed_in(demo_email("northfield-nhs", "peer_lead"))
    main_nav(page).get_by_role("link", name="Pairing").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pairing peers")
    page.get_by_label("Suggest pairs for").select_option(label="New starters")
    page.get_by_role("button", name="Suggest pairs").click()

    row = page.locator("#suggestions tbody tr", has_text=f"Newton {tag}")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(f"Elder {tag}")
    expect(row).to_contain_text("Same team: 30")
    expect(row).to_contain_text("Shared interests: 10")
    expect(row.locator("td").nth(1)).to_have_text("60")
    assert blocking_violations(page) == []

    row.get_by_label("Purpose").select_option(label="Buddy")
    row.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("status")).to_contain_text("Pair confirmed")
    pair = page.locator("#pairs tbody tr", has_text=f"Newton {tag}")
    expect(pair).to_contain_text(f"Elder {tag}")
    expect(pair).to_contain_text("active")
    # Confirmed: the new starter is no longer suggested.
    expect(page.locator("#suggestions tbody tr", has_text=f"Newton {tag}")).to_have_count(0)
    assert blocking_violations(page) == []


def test_a_psw_records_cpd_with_evidence(new_page: Callable[[], Page], live: LiveServer, tmp_path: Path) -> None:
    _, email, password = make_pairable_peers(live)
    page = sign_in(new_page(), email, password)
    main_nav(page).get_by_role("link", name="My CPD").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My CPD")
    expect(page.locator("#day-one")).to_contain_text("induction is not booked")
    assert blocking_violations(page) == []

    bad = tmp_path / "notes.txt"
    bad.write_text("not evidence")
    form = page.locator("#record-cpd")
    form.get_by_label("Activity").fill("Hearing Voices Network workshop")
    form.get_by_label("Date", exact=True).fill((date.today() - timedelta(days=2)).isoformat())
    form.get_by_label("Hours", exact=True).fill("3.5")
    form.get_by_label("Reflection (only you see this)").fill("Practised holding space for distress.")
    form.get_by_label("Evidence (optional: PDF, PNG, JPEG or Word .docx, up to 10 MB)").set_input_files(str(bad))
    form.get_by_role("button", name="Record CPD").click()
    expect(page.get_by_role("alert")).to_contain_text("PDF, PNG, JPEG or Word")
    expect(page.locator("#records")).to_have_count(0)  # nothing saved

    certificate = tmp_path / "certificate.pdf"
    certificate.write_bytes(b"%PDF-1.4\n%test certificate\n")
    form = page.locator("#record-cpd")
    expect(form.get_by_label("Activity")).to_have_value("Hearing Voices Network workshop")
    form.get_by_label("Evidence (optional: PDF, PNG, JPEG or Word .docx, up to 10 MB)").set_input_files(str(certificate))
    form.get_by_role("button", name="Record CPD").click()
    row = page.locator("#records tbody tr", has_text="Hearing Voices Network workshop")
    expect(row).to_contain_text("3.5")
    expect(row).to_contain_text("Not yet")
    expect(row.get_by_role("link", name="certificate.pdf")).to_be_visible()
    response = page.request.get(row.get_by_role("link", name="certificate.pdf").get_attribute("href"))
    assert response.status == 200 and response.body().startswith(b"%PDF")
    assert blocking_violations(page) == []

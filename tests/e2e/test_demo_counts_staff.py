"""The demo trust loaded by ``peerwork demo``, as HR reads it in a browser: the seven supports and
both compliance pages count every lived-experience worker in post from the staff records, and
mark the ones with no account yet instead of leaving them out.

The expected people are read straight from the live server's database (its assignment, person
and account rows), not from peerwork's own code."""

from __future__ import annotations

import re
import sqlite3
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import NORTHFIELD, LiveServer, demo_email, sign_in

pytestmark = pytest.mark.e2e


def _counted(live: LiveServer) -> tuple[dict[str, bool], int]:
    """Name -> whether they have an account, for every person in post today in a lived-experience
    role at the demo trust; and how many active peer support worker accounts there have no staff
    record there (counted too: see peerwork.supports.service)."""
    path = live.env["PEERWORK_DATABASE_URL"].removeprefix("sqlite:///")
    today = datetime.now(ZoneInfo("Europe/London")).date().isoformat()
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        (org,), = db.execute("SELECT id FROM organisation WHERE slug = ?", (NORTHFIELD["slug"],)).fetchall()
        rows = db.execute(
            "SELECT DISTINCT p.id, p.given_name, p.family_name, "
            "EXISTS (SELECT 1 FROM account c WHERE c.person = p.id) "
            "FROM person p JOIN assignment a ON a.person = p.id WHERE p.organisation = ? "
            "AND a.lived_experience_role = 1 AND a.start_date <= ? AND (a.end_date IS NULL OR a.end_date >= ?)",
            (org, today, today)).fetchall()
        (unlinked,), = db.execute(
            "SELECT COUNT(DISTINCT c.id) FROM account c JOIN membership m ON m.account = c.id "
            "WHERE m.organisation = ? AND m.role = 'psw' AND c.is_active = 1 AND NOT EXISTS "
            "(SELECT 1 FROM person p WHERE p.id = c.person AND p.organisation = ?)", (org, org)).fetchall()
    return {f"{given} {family}": bool(has) for _, given, family, has in rows}, unlinked


def test_the_demo_trusts_pages_count_every_worker_in_post_and_mark_those_without_an_account(
        page: Page, new_page, live: LiveServer) -> None:
    people, unlinked = _counted(live)
    without = sorted(name for name, has in people.items() if not has)
    # Loaded by `peerwork demo`: 42 in post, the two newest starters without an account
    # (docs/demo.md); other browser tests may have added staff or accounts since.
    assert len(people) >= 42 and without, (len(people), without)
    counted = len(people) + unlinked
    sign_in(page, demo_email(NORTHFIELD["slug"], "hr"))

    page.goto("/supports")
    cells = page.locator("#supports tbody td:nth-child(2)").all_inner_texts()
    assert len(cells) == 7 and all(c.endswith(f" of {counted}") for c in cells), cells
    expect(page.locator("#without-account")).to_contain_text(f"{len(without)} of {counted} have no account yet")
    lead = sign_in(new_page(), demo_email(NORTHFIELD["slug"], "peer_lead"))  # who is missing what names people
    lead.goto("/supports")
    for name in without:
        expect(lead.locator("#missing tbody th", has_text=name)).to_contain_text("(no account yet)")

    lead.goto("/supervision/compliance")  # the peer lead's page
    rows = lead.locator("#compliance tbody th[scope=row]").all_inner_texts()
    assert set(people) <= set(rows) and len(rows) == counted, (set(people) - set(rows), len(rows), counted)
    expect(lead.locator("#without-account")).to_contain_text(f"{len(without)} people have no account yet")
    for name in without:
        expect(lead.locator("#compliance tbody tr", has=lead.locator("th", has_text=name))).to_contain_text(
            "No account yet")

    page.goto("/cpd/compliance")
    listed = {re.sub(r"\s*\(no account yet\)$", "", t) for t in page.locator("tbody th[scope=row]").all_inner_texts()}
    assert set(people) <= listed, set(people) - listed
    expect(page.locator("#without-account")).to_contain_text(f"{len(without)} people have no account yet")
    for name in without:
        expect(page.locator("tbody th[scope=row]", has_text=name)).to_contain_text("(no account yet)")

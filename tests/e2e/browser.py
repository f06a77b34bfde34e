"""Helpers for the browser tests: demo logins, signing in through the form, CSV files, axe."""

from __future__ import annotations

from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from peerwork.demo import DEMO_LOGINS, DEMO_PASSWORD, ORGANISATIONS

NORTHFIELD = ORGANISATIONS[0]
CSV_HEADER = ("assignment_number,person_id,position_title,lived_experience_role,afc_band,team,"
              "start_date,end_date,leaving_reason,fte")
BLOCKING_IMPACTS = {"serious", "critical"}

_axe = Axe()


def demo_email(org_slug: str, role: str) -> str:
    """The demo login for a role, as ``peerwork demo`` creates it."""
    domain = next(org["domain"] for org in ORGANISATIONS if org["slug"] == org_slug)
    local = next(local for slug, local, r, _ in DEMO_LOGINS if slug == org_slug and r == role)
    return f"{local}@{domain}"


def sign_in(page: Page, email: str, password: str = DEMO_PASSWORD) -> Page:
    """Sign in through the form, as a person would, and wait for the home page."""
    page.goto("/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    return page


def write_csv(path: Path, *rows: str) -> Path:
    path.write_text("\n".join([CSV_HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def blocking_violations(page: Page) -> list[str]:
    """axe-core violations of serious or critical impact, one readable line per failing node."""
    results = _axe.run(page)
    lines = []
    for violation in results.response["violations"]:
        if violation.get("impact") not in BLOCKING_IMPACTS:
            continue
        for node in violation["nodes"]:
            lines.append(
                f"{violation['id']} ({violation['impact']}): {violation['help']} -> {node['target']}\n"
                f"    {node['html']}\n    {node.get('failureSummary', '').replace(chr(10), ' ')}"
            )
    return lines

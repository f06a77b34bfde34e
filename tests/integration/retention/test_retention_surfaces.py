"""Retention as HR gets it: API JSON, the chart, the CLI, the page."""

import json
import os
import subprocess
import sys
from datetime import date

import pytest

from peerwork.retention.query import retention_report
from peerwork.workforce.importer import import_assignments
from tests.conftest import DATABASE_URL, IS_POSTGRES
from tests.factories import csv_text, make_org, make_user

ROWS = [
    "A1,E1,Peer Support Worker,Y,4,Willow,2020-01-06,2020-09-30,Voluntary Resignation - Health,",
    "A2,E2,Peer Support Worker,Y,4,Willow,2020-02-03,,,",
    # A move to senior PSW the next day continues the spell.
    "A3,E3,Peer Support Worker,Y,4,Oak,2021-03-01,2022-02-28,,",
    "A4,E3,Senior Peer Support Worker,Y,5,Oak,2022-03-01,,,",
    "A5,E4,Mental Health Nurse,N,5,Oak,2019-05-01,,,",
    "A6,E5,Peer Support Worker,Y,4,Oak,2023-06-01,2024-08-31,Voluntary Resignation - Promotion,",
]


@pytest.fixture
async def hr():
    org = await make_org()
    await import_assignments(org.id, csv_text(*ROWS).encode())
    return await make_user(org, "hr")


async def test_api_gives_the_contract_figures(client, hr):
    response = await client.get("/api/v1/retention?as_of=2025-01-06&compare=true", headers=hr.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    le = body["lived_experience"]
    assert (le["spells"], le["leavers"], le["in_post"]) == (4, 2, 2)
    one_year = le["retention"][0]
    # Durations: 268 (left), 1799 (censored), 1407 (censored, merged across the move), 457 (left).
    assert one_year["at_risk"] == 3 and one_year["survival"] == pytest.approx(0.75)
    assert le["cohort_rates"][0] == {"years": 1, "days": 365, "retained": 3, "eligible": 4, "rate": 0.75}
    assert {g["label"] for g in le["breakdowns"]["team"]} == {"Oak", "Willow"}
    assert sorted((r["reason"], r["leavers"]) for r in le["leavers_by_reason"]) == [
        ("Voluntary Resignation - Health", 1), ("Voluntary Resignation - Promotion", 1)]
    assert body["other_roles"]["spells"] == 1
    assert "E1" not in response.text  # figures, never people


async def test_bad_parameters_are_clear_problems(client, hr):
    future = await client.get("/api/v1/retention?as_of=2999-01-01", headers=hr.headers)
    assert future.status_code == 422 and "cannot be in the future" in future.json()["detail"]
    unknown = await client.get("/api/v1/retention?by=shoe_size", headers=hr.headers)
    assert unknown.status_code == 422 and "shoe_size" in unknown.json()["detail"]
    half = await client.get("/api/v1/retention?period_start=2024-01-01", headers=hr.headers)
    assert half.status_code == 422
    backwards = await client.get("/api/v1/retention?as_of=2025-01-06&period_start=2024-12-01&period_end=2024-01-01",
                                 headers=hr.headers)
    assert backwards.status_code == 422


async def test_chart_comes_as_svg_and_png_and_is_stable(client, hr):
    svg = await client.get("/api/v1/retention/chart.svg?as_of=2025-01-06&compare=true", headers=hr.headers)
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert svg.content.lstrip().startswith(b"<?xml") and b"<svg" in svg.content
    again = await client.get("/api/v1/retention/chart.svg?as_of=2025-01-06&compare=true", headers=hr.headers)
    assert again.content == svg.content
    png = await client.get("/api/v1/retention/chart.png?as_of=2025-01-06", headers=hr.headers)
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")


async def test_psw_and_supervisor_cannot_see_retention(client, hr):
    org_slug = hr.principal.organisation_slug
    from peerwork.workforce.organisations import organisation_by_slug

    org = await organisation_by_slug(org_slug)
    for role in ("psw", "supervisor"):
        user = await make_user(org, role)
        assert (await client.get("/api/v1/retention", headers=user.headers)).status_code == 403


async def test_cli_prints_table_csv_and_json(hr, engine):
    from peerwork.core.db import current_engine

    url = DATABASE_URL if IS_POSTGRES else f"sqlite:///{current_engine().path}"
    env = {**os.environ, "PEERWORK_DATABASE_URL": url}

    def run(*args):
        return subprocess.run([sys.executable, "-m", "peerwork.cli", "retention", "--org", "north", *args],
                              capture_output=True, text=True, env=env, timeout=120)

    table = run("--as-of", "06/01/2025")
    assert table.returncode == 0, table.stderr
    assert "75.0%" in table.stdout and "3 / 4" in table.stdout
    csv_out = run("--as-of", "2025-01-06", "--format", "csv", "--by", "team")
    lines = csv_out.stdout.strip().splitlines()
    assert lines[0].startswith("group,spells,leavers,in_post,km_1y") and [line.split(",")[0] for line in lines[1:]] == ["Oak", "Willow"]
    data = json.loads(run("--as-of", "2025-01-06", "--format", "json").stdout)
    assert data["retention"][0]["survival"] == pytest.approx(0.75)
    bad = run("--by", "colour")
    assert bad.returncode == 2 and bad.stderr.startswith("peerwork: error: argument --by")


async def test_api_body_is_the_reports_json_form(client, hr):
    """The API's JSON is exactly RetentionReport.to_dict() of both reports, every field."""
    response = await client.get("/api/v1/retention?as_of=2025-01-06&compare=true&period_start=2024-01-01"
                                "&period_end=2024-12-31", headers=hr.headers)
    assert response.status_code == 200, response.text
    as_of, period = date(2025, 1, 6), (date(2024, 1, 1), date(2024, 12, 31))
    ours = await retention_report(hr.principal.organisation_id, as_of, period=period)
    others = await retention_report(hr.principal.organisation_id, as_of, by=(), period=period, lived_experience=False)
    assert response.json() == {"lived_experience": ours.to_dict(), "other_roles": others.to_dict()}
    assert response.json()["lived_experience"]["curve"][0] == {
        "days": 0, "at_risk": 4, "events": 0, "survival": 1.0, "lower": 1.0, "upper": 1.0}

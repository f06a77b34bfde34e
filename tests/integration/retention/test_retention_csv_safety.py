"""retention.csv goes through the one CSV writer: a team name cannot become a formula, and
rates are rounded for people (page and CLI alike)."""

import csv
import io
import os
import subprocess
import sys

from peerwork.core.export import safe_cell, write_csv
from peerwork.workforce.importer import import_assignments
from tests.conftest import DATABASE_URL, IS_POSTGRES
from tests.factories import csv_text, make_org
from tests.integration.web.test_forms import signed_in

FORMULA = '=HYPERLINK("http://x","y")'
QUOTED = '"=HYPERLINK(""http://x"",""y"")"'
ROWS = [
    f"A1,E1,Peer Support Worker,Y,4,{QUOTED},2020-01-06,2020-09-30,Voluntary Resignation - Health,",
    f"A2,E2,Peer Support Worker,Y,4,{QUOTED},2020-02-03,,,",
    f"A3,E3,Peer Support Worker,Y,4,{QUOTED},2021-03-01,,,",
]


def test_rates_are_rounded_for_people():
    assert safe_cell(0.6999999999999998) == 0.7
    assert write_csv(["rate"], [[0.6999999999999998], [1 / 3], [-0.0]]) == "rate\r\n0.7\r\n0.3333\r\n0.0\r\n"


def _groups(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


async def test_the_retention_page_csv_neutralises_team_names(client):
    org = await make_org()
    await import_assignments(org.id, csv_text(*ROWS).encode())
    await signed_in(client, "hr", org=org)
    response = await client.get("/retention.csv?as_of=2025-01-06&by=team")
    assert response.status_code == 200, response.text
    (row,) = _groups(response.text)
    assert row["group"] == "'" + FORMULA
    # Two of three stayed a year: 0.6666666666666666 is written 0.6667.
    assert row["km_1y"] == "0.6667" and row["cohort_rate_1y"] == "0.6667"


async def test_the_cli_csv_neutralises_team_names(client):
    from peerwork.core.db import current_engine

    org = await make_org()
    await import_assignments(org.id, csv_text(*ROWS).encode())
    url = DATABASE_URL if IS_POSTGRES else f"sqlite:///{current_engine().path}"
    done = subprocess.run([sys.executable, "-m", "peerwork.cli", "retention", "--org", org.slug, "--as-of",
                           "2025-01-06", "--format", "csv", "--by", "team"],
                          capture_output=True, text=True, env={**os.environ, "PEERWORK_DATABASE_URL": url}, timeout=120)
    assert done.returncode == 0, done.stderr
    (row,) = _groups(done.stdout)
    assert row["group"] == "'" + FORMULA and row["km_1y"] == "0.6667"

"""The command line starts fast because it loads only what a command needs: `--help` and
`retention` never import the web framework (Litestar) or the plotting library (matplotlib).
bench/cli_startup.py measures the time; this holds the cause in place."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.integration.test_cli import cli_database_url, run

HEAVY = ("litestar", "matplotlib", "uvicorn", "apscheduler")

# Runs the real entry point and reports, even when it exits through SystemExit, which of the
# heavy packages it loaded.
PROBE = f"""
import json, sys
from peerwork.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
loaded = sorted({{name.split(".")[0] for name in sys.modules}} & set({HEAVY!r}))
print("LOADED " + json.dumps(loaded), file=sys.stderr)
sys.exit(code)
"""


def loaded_by(*args: str) -> tuple[subprocess.CompletedProcess, list[str]]:
    env = {**os.environ, "PEERWORK_DATABASE_URL": cli_database_url()}
    result = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, env=env,
                            timeout=120)
    line = next(line for line in result.stderr.splitlines() if line.startswith("LOADED "))
    return result, json.loads(line.removeprefix("LOADED "))


def test_help_loads_no_web_app_and_no_plotting(engine):
    result, loaded = loaded_by("--help")
    assert result.returncode == 0 and "usage: peerwork" in result.stdout
    assert loaded == []


def test_import_help_loads_no_web_app_and_no_plotting(engine):
    result, loaded = loaded_by("import", "assignments", "--help")
    assert result.returncode == 0 and "line_manager_assignment_number" in result.stdout
    assert loaded == []


def test_retention_loads_no_web_app_and_no_plotting(engine, tmp_path):
    assert run("orgs", "create", "north", "--name", "North Trust").returncode == 0
    staff = tmp_path / "staff.csv"
    staff.write_text("assignment_number,person_id,position_title,lived_experience_role,start_date,end_date\n"
                     "A1,E1,Peer Support Worker,Y,2020-01-06,2022-03-31\nA2,E2,Peer Support Worker,Y,2021-05-04,\n")
    assert run("import", "assignments", str(staff), "--org", "north", "--quiet").returncode == 0
    result, loaded = loaded_by("retention", "--org", "north", "--as-of", "2024-01-01")
    assert result.returncode == 0, result.stderr
    assert "North Trust" in result.stdout and "2 spells, 1 ended, 1 in post" in result.stdout
    assert loaded == []

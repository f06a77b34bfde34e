"""Serving starts without the heavy libraries: ``create_app`` loads neither SciPy (the pairing
optimiser) nor Matplotlib (the retention chart) nor the single sign-on libraries (Authlib,
joserfc), and makes no password hash; the first pairing
suggestion and the first chart then load what they need and work. bench/cold_start.py measures
the start-up time; this holds the cause in place. Runs in a fresh process, as a server starts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.integration.test_cli import cli_database_url

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import asyncio, json, sys
from datetime import date, timedelta

HEAVY = ("scipy", "matplotlib", "authlib", "joserfc")


def loaded():
    return sorted({name.split(".")[0] for name in sys.modules} & set(HEAVY))


async def main():
    from peerwork.app import create_app
    from peerwork.core import accounts
    from peerwork.core.settings import load_settings

    app = create_app(load_settings())
    report = {"after_create_app": loaded(), "dummy_hash_made": accounts._dummy_hash.cache_info().currsize > 0}

    import httpx
    from peerwork.core.db import open_pool, use_database
    from tests.development_helpers import make_employee
    from tests.factories import make_org, make_user

    await open_pool(use_database(load_settings().database_url))
    org = await make_org("north")
    ago = lambda days: date.today() - timedelta(days=days)
    await make_employee(org, "Ed", started=ago(3 * 365))
    await make_employee(org, "Nia", started=ago(30))
    await make_employee(org, "Lou", started=ago(2 * 365), ended=ago(100))
    lead, hr = await make_user(org, "peer_lead"), await make_user(org, "hr")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test.local") as client:
        report["after_fixtures"] = loaded()
        found = await client.get("/api/v1/pairing/suggestions", headers=lead.headers)
        report["suggestions"] = [found.status_code, [(s["new_peer"], s["experienced_peer"])
                                                     for s in found.json().get("suggestions", [])]]
        chart = await client.get("/api/v1/retention/chart.svg", headers=hr.headers)
        report["chart"] = [chart.status_code, chart.headers.get("content-type", ""), "<svg" in chart.text]
    report["after_requests"] = loaded()
    print("REPORT " + json.dumps(report))


asyncio.run(main())
"""


def test_create_app_loads_neither_scipy_nor_matplotlib_and_the_first_pairing_and_chart_still_work(engine):
    env = {**os.environ, "PEERWORK_DATABASE_URL": cli_database_url(), "PEERWORK_SCHEDULER": "false",
           "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, cwd=ROOT,
                            timeout=300)
    line = next((line for line in result.stdout.splitlines() if line.startswith("REPORT ")), None)
    assert line is not None, result.stderr[-3000:]
    report = json.loads(line.removeprefix("REPORT "))
    assert report["after_create_app"] == [] and report["after_fixtures"] == []
    assert report["dummy_hash_made"] is False
    status, pairs = report["suggestions"]
    assert status == 200 and ["Nia", "Ed"] in pairs
    assert report["chart"] == [200, "image/svg+xml", True]
    assert report["after_requests"] == ["matplotlib", "scipy"]

"""Serving starts without the heavy libraries: ``create_app`` loads neither SciPy (the pairing
optimiser) nor Matplotlib (the retention chart) nor the single sign-on libraries (Authlib,
joserfc), and makes no password hash; the first pairing
suggestion and the first chart then load what they need and work. Starting to serve and the
first page load none of the libraries only some requests need (NumPy, icalendar, black ...),
and the app still refuses to start on a database that is not migrated. bench/cold_start.py measures
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


# Everything a request may need but starting to serve does not: the libraries behind retention's
# figures (NumPy), the chart, pairing, calendar files, bank holidays, password strength, QR codes,
# single sign-on, the reply mailbox (aiosmtpd, with no reply address set), the code formatter
# Piccolo's configuration module imports (black), password hashing (argon2), sealed secrets
# (cryptography), authenticator codes (pyotp), and the scheduler (APScheduler: this instance
# runs none, PEERWORK_SCHEDULER=false).
STARTUP_PROBE = """
import asyncio, json

HEAVY = ("numpy", "scipy", "matplotlib", "black", "aiosmtpd", "icalendar", "holidays", "zxcvbn", "segno",
         "httpx", "authlib", "joserfc", "rich", "argon2", "cryptography", "pyotp", "apscheduler")


def loaded():
    from peerwork.core.lazy import is_loaded

    return [name for name in HEAVY if is_loaded(name)]


async def get(app, path, headers=None):
    # One GET straight through the ASGI interface: no HTTP client library gets loaded.
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    await app({"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
               "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
               "headers": [(b"host", b"test.local")] + [(k.lower().encode(), v.encode())
                                                         for k, v in (headers or {}).items()],
               "client": ("127.0.0.1", 50000), "server": ("test.local", 80), "state": {}}, receive, send)
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return next(m["status"] for m in sent if m["type"] == "http.response.start"), body


async def main():
    from peerwork.app import create_app
    from peerwork.core.settings import load_settings

    report = {}
    app = create_app(load_settings())
    report["after_create_app"] = loaded()
    async with app.lifespan():  # what a server runs before its first request
        report["after_start"] = loaded()
        report["health"] = (await get(app, "/health"))[0]
        report["login"] = (await get(app, "/login"))[0]
        report["after_first_page"] = loaded()

        from datetime import date, timedelta
        from tests.development_helpers import make_employee
        from tests.factories import make_org, make_user

        org = await make_org("north")
        await make_employee(org, "Ed", started=date.today() - timedelta(days=3 * 365))
        await make_employee(org, "Lou", started=date.today() - timedelta(days=2 * 365),
                            ended=date.today() - timedelta(days=100))
        hr = await make_user(org, "hr")
        status, body = await get(app, "/api/v1/retention", hr.headers)
        report["retention"] = [status, json.loads(body)["lived_experience"]["spells"]]
        report["after_retention"] = loaded()
    print("REPORT " + json.dumps(report))


asyncio.run(main())
"""


def test_starting_to_serve_loads_no_library_only_some_requests_need_and_the_first_such_request_loads_it(engine):
    env = {**os.environ, "PEERWORK_DATABASE_URL": cli_database_url(), "PEERWORK_SCHEDULER": "false",
           "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT), os.environ.get("PYTHONPATH", "")])}
    env.pop("PEERWORK_REPLY_ADDRESS", None)
    result = subprocess.run([sys.executable, "-c", STARTUP_PROBE], capture_output=True, text=True, env=env,
                            cwd=ROOT, timeout=300)
    line = next((line for line in result.stdout.splitlines() if line.startswith("REPORT ")), None)
    assert line is not None, result.stderr[-3000:]
    report = json.loads(line.removeprefix("REPORT "))
    assert report["after_create_app"] == [] and report["after_start"] == []
    assert report["health"] == 200 and report["login"] == 200
    assert report["after_first_page"] == []
    assert report["retention"] == [200, 2]
    assert "numpy" in report["after_retention"]


UNMIGRATED_PROBE = """
import asyncio
from peerwork.app import create_app
from peerwork.core.migrate import DatabaseNotMigrated
from peerwork.core.settings import load_settings


async def main():
    app = create_app(load_settings())
    try:
        async with app.lifespan():
            print("SERVED")
    except* DatabaseNotMigrated as refused:  # Litestar runs the lifespan in a task group
        print("REFUSED " + refused.exceptions[0].detail)


asyncio.run(main())
"""


def test_the_app_still_refuses_to_start_on_a_database_that_is_not_migrated(tmp_path):
    empty = tmp_path / "empty.sqlite3"
    empty.touch()
    env = {**os.environ, "PEERWORK_DATABASE_URL": f"sqlite:///{empty}", "PEERWORK_SCHEDULER": "false",
           "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run([sys.executable, "-c", UNMIGRATED_PROBE], capture_output=True, text=True, env=env,
                            cwd=ROOT, timeout=120)
    assert "SERVED" not in result.stdout
    assert "REFUSED the database is missing" in result.stdout, result.stderr[-2000:]

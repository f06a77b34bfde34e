"""While the database cannot be reached, callers get 503 + Retry-After (never a 500 with a
stack), and /health says the database is what is down."""

from __future__ import annotations


import pytest

from peerwork.core.db import use_database
from peerwork.core.errors import DatabaseUnavailable, database_unavailable
from peerwork.core.settings import current_settings, use_settings
from tests.conftest import DATABASE_URL, RUN_DIR, http_client
from tests.ports import free_port



def _unreachable_urls() -> list[str]:
    return [
        f"postgresql://postgres@127.0.0.1:{free_port()}/peerwork_gone",  # nothing listens on the port
        f"sqlite:///{RUN_DIR / 'outage-dir'}",  # a directory: SQLite cannot open it
    ]


@pytest.fixture
async def down_client(settings, request):
    from peerwork.app import create_app

    url = request.param
    if url.startswith("sqlite"):
        (RUN_DIR / "outage-dir").mkdir(exist_ok=True)
    before = current_settings()
    # No lifespan here (no pool): every query tries to connect, as during an outage.
    app = create_app(settings.with_overrides(database_url=url))
    try:
        async with http_client(app) as client:
            yield client
    finally:
        use_settings(before)
        use_database(DATABASE_URL)  # point the tables back at the test database


@pytest.mark.parametrize("down_client", _unreachable_urls(), ids=["postgres-port-closed", "sqlite-unopenable"],
                         indirect=True)
async def test_an_unreachable_database_answers_503_not_500(down_client):
    api = await down_client.get("/api/v1/people", headers={"Authorization": "Bearer pw_" + "a" * 40})
    assert api.status_code == 503, api.text
    assert api.headers["retry-after"].isdigit()
    assert api.headers["content-type"].startswith("application/problem+json")
    body = api.json()
    assert body["type"] == "https://peerwork.org.uk/problems/database-unavailable"
    assert body["status"] == 503
    assert "database" in body["detail"].lower()
    assert "Traceback" not in api.text and "127.0.0.1" not in api.text and "postgres@" not in api.text

    down_client.cookies.set("peerwork_session", "x" * 40)
    page = await down_client.get("/people")
    assert page.status_code == 503, page.text
    assert page.headers["retry-after"].isdigit()
    assert page.headers["content-type"].startswith("text/html")
    assert "temporarily unavailable" in page.text
    assert "Traceback" not in page.text and "127.0.0.1" not in page.text

    down_client.cookies.clear()  # a monitor sends no session
    health = await down_client.get("/health")
    assert health.status_code == 503
    assert health.headers["retry-after"].isdigit()
    status = health.json()
    assert status["status"] == "degraded" and status["database"] == "unreachable"
    assert status["checked_at"]
    assert "127.0.0.1" not in health.text and "sqlite" not in health.text


async def test_health_is_ok_and_dated_when_the_database_is_up(client):
    health = await client.get("/health")
    assert health.status_code == 200
    assert health.json()["database"] == "reachable" and health.json()["checked_at"]


def test_only_connection_failures_count_as_an_outage():
    import sqlite3

    import asyncpg

    assert isinstance(database_unavailable(ConnectionRefusedError(111, "refused")), DatabaseUnavailable)
    assert isinstance(database_unavailable(TimeoutError()), DatabaseUnavailable)  # pool acquire
    assert isinstance(database_unavailable(asyncpg.ConnectionDoesNotExistError("gone")), DatabaseUnavailable)
    assert isinstance(database_unavailable(asyncpg.CannotConnectNowError("starting")), DatabaseUnavailable)
    assert isinstance(database_unavailable(asyncpg.TooManyConnectionsError("full")), DatabaseUnavailable)
    assert isinstance(database_unavailable(sqlite3.OperationalError("unable to open database file")),
                      DatabaseUnavailable)
    # Query errors and other I/O errors are not outages.
    assert database_unavailable(asyncpg.UniqueViolationError("dup")) is None
    assert database_unavailable(asyncpg.UndefinedTableError("no table")) is None
    assert database_unavailable(sqlite3.OperationalError("no such table: person")) is None
    assert database_unavailable(FileNotFoundError(2, "missing")) is None
    assert database_unavailable(ValueError("x")) is None

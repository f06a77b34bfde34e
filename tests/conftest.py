"""Test bootstrap: a fresh database built through the migrations, fresh data for every test.

Without PEERWORK_TEST_DATABASE_URL the suite runs on a SQLite file; with it (a
``postgresql://`` URL to a server we may create databases on) a new database is created for
the run and dropped afterwards. Each test starts from freshly migrated, empty tables.
"""

from __future__ import annotations

import base64
import asyncio
import os
import secrets
import shutil
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

# --- choose the database before anything imports peerwork ------------------------------------

TEST_POSTGRES_URL = os.environ.get("PEERWORK_TEST_DATABASE_URL", "")
RUN_DIR = Path(tempfile.mkdtemp(prefix="peerwork-tests-"))
if TEST_POSTGRES_URL:
    _parts = urlsplit(TEST_POSTGRES_URL)
    TEST_DB_NAME = f"peerwork_test_{os.getpid()}_{secrets.token_hex(3)}"
    DATABASE_URL = urlunsplit(_parts._replace(path=f"/{TEST_DB_NAME}"))
    ADMIN_URL = TEST_POSTGRES_URL
else:
    DATABASE_URL = f"sqlite:///{RUN_DIR / 'test.sqlite3'}"

os.environ["PEERWORK_DATABASE_URL"] = DATABASE_URL
os.environ["PEERWORK_SCHEDULER"] = "false"
os.environ["PEERWORK_SECRET_KEY"] = "test-secret-" + secrets.token_hex(8)
os.environ["PEERWORK_ENCRYPTION_KEYS"] = "t1:" + base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")
os.environ.pop("PEERWORK_LOGIN_MAX_FAILURES", None)

from peerwork.core.db import close_pool, is_postgres, open_pool, use_database  # noqa: E402
from peerwork.core.migrate import migrate  # noqa: E402
from peerwork.core.settings import load_settings  # noqa: E402

IS_POSTGRES = bool(TEST_POSTGRES_URL)


def _on_postgres_server(statement: str) -> None:
    import asyncpg

    async def run() -> None:
        connection = await asyncpg.connect(ADMIN_URL)
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    asyncio.run(run())


def pytest_sessionstart(session: pytest.Session) -> None:
    if IS_POSTGRES:
        _on_postgres_server(f'CREATE DATABASE "{TEST_DB_NAME}"')


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if IS_POSTGRES:
        _on_postgres_server(f'DROP DATABASE IF EXISTS "{TEST_DB_NAME}" WITH (FORCE)')
    shutil.rmtree(RUN_DIR, ignore_errors=True)


def pytest_report_header(config: pytest.Config) -> str:
    return f"peerwork test database: {'PostgreSQL ' + TEST_DB_NAME if IS_POSTGRES else 'SQLite'}"


# --- schema and per-test data -----------------------------------------------------------

@pytest.fixture(scope="session")
async def engine():
    engine = use_database(DATABASE_URL)
    await open_pool(engine)
    await migrate(quiet=True)
    if not IS_POSTGRES:
        await engine.run_ddl("PRAGMA wal_checkpoint(TRUNCATE)")
        shutil.copy(engine.path, RUN_DIR / "template.sqlite3")
    yield engine
    await close_pool(engine)


_TABLES_TO_EMPTY: list[str] = []


async def _empty_postgres(engine) -> None:
    if not _TABLES_TO_EMPTY:
        rows = await engine.run_ddl(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'migration'"
        )
        _TABLES_TO_EMPTY.extend(r["tablename"] for r in rows)
    # TRUNCATE does not fire the audit log's row triggers, which only forbid UPDATE and DELETE.
    await engine.run_ddl(f"TRUNCATE {', '.join(_TABLES_TO_EMPTY)} RESTART IDENTITY CASCADE")


_copies = 0


@pytest.fixture(autouse=True)
async def fresh_data(engine):
    """Every test starts with migrated, empty tables."""
    global _copies
    if IS_POSTGRES:
        await _empty_postgres(engine)
    else:
        _copies += 1
        fresh = RUN_DIR / f"test-{_copies}.sqlite3"
        shutil.copy(RUN_DIR / "template.sqlite3", fresh)
        engine.path = str(fresh)
    yield


@pytest.fixture(scope="session")
def settings():
    return load_settings()


@pytest.fixture(scope="session")
async def app(engine, settings):
    from peerwork.app import create_app

    return create_app(settings.with_overrides(database_url=DATABASE_URL))


def http_client(app, base_url: str = "http://testserver.local"):
    """An HTTP client calling the app in this event loop (Litestar's test client runs the app
    on a loop in another thread, where the session's PostgreSQL pool cannot be used). The
    session fixture has already opened the pool and migrated, which is the lifespan's work."""
    import httpx

    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url)


@pytest.fixture
async def client(app):
    async with http_client(app) as test_client:
        yield test_client


__all__ = ["IS_POSTGRES", "is_postgres"]


@pytest.fixture
def smtp_down():
    """A real SMTP server on loopback that is not listening yet: nothing answers on its port
    until ``start()``."""
    from tests.mailserver import SmtpServer

    server = SmtpServer()
    yield server
    server.stop()


@pytest.fixture
def smtp(smtp_down):
    """A real SMTP server on loopback that keeps what it receives."""
    smtp_down.start()
    return smtp_down

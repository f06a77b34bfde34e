"""Browser test harness: a real ``peerwork serve`` on a fresh SQLite file, driven by Debian's chromium.

The server runs as a subprocess with an environment built here from scratch (no ``PEERWORK_*``
inherited), so the in-process suite's database settings never leak into it. Browsers are never
downloaded: Playwright drives ``/usr/bin/chromium``.
"""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.e2e.browser import CreatedAccount, LiveServer, sign_in
from tests.mailserver import SmtpServer
from tests.ports import free_port

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
STARTUP_TIMEOUT_S = 20.0


def _server_env(database_url: str, public_url: str, run_dir: Path, mail_url: str) -> dict[str, str]:
    # Start from the parent environment for PATH and friends, but drop every PEERWORK_* value:
    # the in-process tests' conftest points PEERWORK_DATABASE_URL at its own database.
    env = {key: value for key, value in os.environ.items() if not key.startswith("PEERWORK_")}
    env.update({
        "PEERWORK_DATABASE_URL": database_url,
        "PEERWORK_SCHEDULER": "false",
        "PEERWORK_SECRET_KEY": secrets.token_urlsafe(32),
        # Keys for secrets at rest, so the server never writes a key file into the checkout.
        "PEERWORK_ENCRYPTION_KEYS": "e2e:" + base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("="),
        "PEERWORK_LOG_LEVEL": "WARNING",
        # Links the server prints (calendar feeds) must point at this server, not the default port.
        "PEERWORK_PUBLIC_URL": public_url,
        # Mail waits in the outbox (no scheduler) until a test runs `peerwork mail send`, which
        # delivers it to the real SMTP server on loopback that the ``mailbox`` fixture runs.
        "PEERWORK_MAIL_URL": mail_url,
        "PYTHONUNBUFFERED": "1",
    })
    return env



def _peerwork(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    """Run the CLI against the test server's database; its standard output."""
    command = [sys.executable, "-m", "peerwork.cli", *args]
    done = subprocess.run(command, env=env, input=stdin, capture_output=True, text=True, timeout=120, check=False)
    if done.returncode != 0:
        pytest.fail(f"`peerwork {' '.join(args)}` exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


@pytest.fixture(autouse=True)
def fresh_data() -> None:
    """Browser tests talk to their own server; skip the in-process suite's per-test database reset."""


@pytest.fixture(scope="package")
def mailbox() -> Iterator[SmtpServer]:
    """A real SMTP server on loopback (aiosmtpd) that keeps what the live server sends it."""
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="package")
def live(tmp_path_factory: pytest.TempPathFactory, mailbox: SmtpServer) -> Iterator[LiveServer]:
    """A migrated, demo-loaded ``peerwork serve`` on a free local port, and its environment."""
    run_dir = tmp_path_factory.mktemp("e2e-server")
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = _server_env(f"sqlite:///{run_dir / 'e2e.sqlite3'}", base_url, run_dir,
                      f"smtp://127.0.0.1:{mailbox.port}")
    _peerwork(env, "migrate", "--quiet")
    _peerwork(env, "demo")

    log_path = run_dir / "server.log"
    with open(log_path, "wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "peerwork.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env, stdout=log, stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not _healthy(f"{base_url}/health"):
            log_text = log_path.read_text(errors="replace")
            if server.poll() is not None:
                pytest.fail(f"peerwork serve exited {server.returncode}:\n{log_text}")
            if time.monotonic() > deadline:
                pytest.fail(f"/health not 200 within {STARTUP_TIMEOUT_S:.0f} s:\n{log_text}")
            time.sleep(0.1)
        yield LiveServer(url=base_url, env=env)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture(scope="package")
def live_server(live: LiveServer) -> str:
    """Base URL of the live server."""
    return live.url


@pytest.fixture
def create_account(live: LiveServer) -> Callable[..., CreatedAccount]:
    """``create_account(role, org=...)``: a new account made with ``peerwork users create``, as an
    administrator would, with a sign-in password given on stdin; the CLI prints an API token."""

    def create(role: str, org: str = "northfield-nhs", domain: str = "northfield.example") -> CreatedAccount:
        email = f"e2e-{role.replace('_', '-')}-{secrets.token_hex(4)}@{domain}"
        password = secrets.token_urlsafe(18)  # 24 characters; the CLI wants at least 12
        out = _peerwork(live.env, "users", "create", "--org", org, "--email", email, "--role", role,
                        "--name", f"E2E {role}", "--password-stdin", stdin=password + "\n")
        lines = [line.strip() for line in out.splitlines() if line.strip()]
        marker = next(i for i, line in enumerate(lines) if line.startswith("API token"))
        return CreatedAccount(email=email, password=password, api_token=lines[marker + 1])

    return create


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    # Package scope, not session: while sync Playwright is running, asyncio sees its event loop as
    # the thread's running loop, so pytest-asyncio could not run the in-process async tests that
    # follow this package. Stopping Playwright when tests/e2e is done hands the thread back.
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, live_server: str) -> Iterator[Page]:
    """A fresh, signed-out browser context; relative URLs resolve against the live server."""
    context = browser.new_context(base_url=live_server, locale="en-GB")
    context.set_default_timeout(5_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def new_page(browser: Browser, live_server: str) -> Iterator[Callable[[], Page]]:
    """``new_page()``: another signed-out browser context (a second person at another computer)."""
    contexts = []

    def make() -> Page:
        context = browser.new_context(base_url=live_server, locale="en-GB")
        context.set_default_timeout(5_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def signed_in(page: Page) -> Callable[[str], Page]:
    """``signed_in(email)`` signs the test's page in and returns it."""
    return lambda email: sign_in(page, email)

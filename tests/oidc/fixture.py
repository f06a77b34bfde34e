"""A real OpenID Connect provider for the single sign-on tests: node ``oidc-provider`` on loopback.

``npm ci`` installs it once into ``tests/oidc/node_modules`` (git-ignored), again only when
``package-lock.json`` changes. Without Node.js and npm the tests fail, saying so: they are
never skipped.
"""

from __future__ import annotations

import hashlib
import html
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

import httpx
import pytest

HERE = Path(__file__).resolve().parent
NODE_MODULES = HERE / "node_modules"
STAMP = NODE_MODULES / ".peerwork-lock-sha256"
START_TIMEOUT_S = 20.0
CLIENT_ID = "peerwork-test"
PROVIDER_PASSWORD = "any password: the provider's development login takes any"


@dataclass(frozen=True)
class ProviderAccount:
    """A person at the provider: they sign in there with ``sub`` as the login."""

    sub: str
    email: str
    email_verified: bool = True
    name: str = ""

    def argument(self) -> str:
        parts = [f"sub={self.sub}", f"email={self.email}", f"email_verified={str(self.email_verified).lower()}"]
        if self.name:
            parts.append(f"name={self.name}")
        return ",".join(parts)


@dataclass
class Provider:
    issuer: str
    client_id: str
    client_secret: str
    redirect_uris: tuple[str, ...]
    log_path: Path
    process: subprocess.Popen = field(repr=False)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def _need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.fail(f"The single sign-on tests need Node.js and npm ({tool!r} is not on PATH): they run a real "
                    "OpenID Connect provider (tests/oidc/provider.mjs). Install Node.js 20 or later with npm "
                    "(Debian: apt-get install nodejs npm).", pytrace=False)
    return path


def ensure_installed() -> None:
    """``npm ci`` into tests/oidc/node_modules, unless the same lock file is installed already."""
    node, npm = _need("node"), _need("npm")
    del node
    lock = hashlib.sha256((HERE / "package-lock.json").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text().strip() == lock and (NODE_MODULES / "oidc-provider").is_dir():
        return
    done = subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=HERE,
                          capture_output=True, text=True, timeout=300, check=False)
    if done.returncode != 0:
        pytest.fail(f"`npm ci` in {HERE} failed ({done.returncode}); the single sign-on tests need the "
                    f"npm registry once to install oidc-provider:\n{done.stdout}\n{done.stderr}", pytrace=False)
    STAMP.write_text(lock + "\n")


@contextmanager
def running_provider(redirect_uris: list[str], accounts: list[ProviderAccount], log_dir: Path,
                     client_secret: str = "s3cret: the test client's secret/with+odd chars") -> Iterator[Provider]:
    """Start ``provider.mjs`` on a free loopback port; stop it afterwards."""
    ensure_installed()
    command = [_need("node"), str(HERE / "provider.mjs"), "--client-id", CLIENT_ID, "--client-secret", client_secret]
    for uri in redirect_uris:
        command += ["--redirect-uri", uri]
    for account in accounts:
        command += ["--account", account.argument()]
    log_path = log_dir / "oidc-provider.log"
    with open(log_path, "wb") as log:
        # Standard input stays open: the provider stops by itself when it closes (if we die).
        process = subprocess.Popen(command, cwd=HERE, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log)
    try:
        assert process.stdout is not None
        issuer = ""
        deadline = time.monotonic() + START_TIMEOUT_S
        while not issuer:
            line = process.stdout.readline().decode().strip()
            if line.startswith("issuer="):
                issuer = line.removeprefix("issuer=")
            elif process.poll() is not None:
                pytest.fail(f"the test OpenID Connect provider exited {process.returncode}:\n"
                            f"{log_path.read_text(errors='replace')}", pytrace=False)
            elif time.monotonic() > deadline:
                pytest.fail("the test OpenID Connect provider did not start in time", pytrace=False)
        yield Provider(issuer=issuer, client_id=CLIENT_ID, client_secret=client_secret,
                       redirect_uris=tuple(redirect_uris), log_path=log_path, process=process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


_FORM = re.compile(r"<form[^>]*action=\"([^\"]+)\"[^>]*method=\"post\"[^>]*>(.*?)</form>", re.S | re.I)
_HIDDEN = re.compile(r"<input[^>]*type=\"hidden\"[^>]*name=\"([^\"]+)\"[^>]*value=\"([^\"]*)\"", re.I)


async def sign_in_at_provider(authorization_url: str, login: str, redirect_uri: str) -> str:
    """Go through the provider's own pages as a browser would (its login form, then its consent
    form), and return the URL it finally sends the browser back to (our callback, with the code)."""
    url = authorization_url
    async with httpx.AsyncClient(timeout=10) as browser:
        for _ in range(12):
            response = await browser.get(url)
            while response.is_redirect:
                target = urljoin(str(response.url), response.headers["location"])
                if target.startswith(redirect_uri):
                    return target
                response = await browser.get(target)
            forms = _FORM.findall(response.text)
            if response.status_code != 200 or not forms:
                raise AssertionError(f"unexpected page from the provider ({response.status_code}):\n{response.text}")
            action, inner = forms[0]
            fields = {name: html.unescape(value) for name, value in _HIDDEN.findall(inner)}
            if fields.get("prompt") == "login":
                fields.update(login=login, password=PROVIDER_PASSWORD)
            response = await browser.post(urljoin(str(response.url), html.unescape(action)), data=fields)
            if not response.is_redirect:
                raise AssertionError(f"the provider did not accept the form ({response.status_code}):\n{response.text}")
            target = urljoin(str(response.url), response.headers["location"])
            if target.startswith(redirect_uri):
                return target
            url = target
    raise AssertionError("the provider never sent the browser back")

"""What the community benchmarks share: people made through the services, a uvicorn server of
the real app in a subprocess, a tiny HTTP client, and a burst of simultaneous requests.

Used by ``community_feed.py`` and ``booking_contention.py``; not a benchmark itself.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from _common import bench_env

# --- people, through the services ---------------------------------------------------------------


@dataclass
class Member:
    principal: object  # peerwork.core.access.Principal
    token: str
    email: str


async def make_member(organisation_id, slug: str, email: str, *roles: str) -> Member:
    """An account with roles and an API token, the way tests/factories.make_user does (no password)."""
    from peerwork.core import accounts

    view = await accounts.create_account(organisation_id, email, list(roles or ("psw",)),
                                         display_name=email.split("@")[0])
    issued = await accounts.issue_api_token(view.id, organisation_id, label="bench")
    principal = await accounts.authenticate_token(issued.token)
    if principal is None:
        raise RuntimeError(f"the token issued to {email} does not authenticate")
    return Member(principal, issued.token, email)


# --- the server -----------------------------------------------------------------------------------


def serve(app, port: int, name: str = "server") -> None:
    """Run ``app`` under uvicorn, one worker, no access log (it would only blur the ratios).

    With BENCH_PROFILE_DIR set, under cProfile: NAME.prof and NAME.txt (by own time) land there.
    """
    import uvicorn

    config = {"host": "127.0.0.1", "port": port, "workers": 1, "log_level": "warning", "access_log": False}
    profile_dir = os.environ.get("BENCH_PROFILE_DIR")
    if not profile_dir:
        uvicorn.run(app, **config)
        return
    import cProfile
    import io
    import pstats

    profiler = cProfile.Profile()
    profiler.runcall(uvicorn.run, app, **config)
    Path(profile_dir).mkdir(parents=True, exist_ok=True)
    profiler.dump_stats(Path(profile_dir) / f"{name}.prof")
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(50)
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(50)
    (Path(profile_dir) / f"{name}.txt").write_text(text.getvalue())


class Server:
    """``python SCRIPT --serve PORT`` in a subprocess, against the bench database."""

    def __init__(self, script: str, url: str, log: Path, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.log = log
        with open(log, "w") as log_file:
            self.process = subprocess.Popen(
                [sys.executable, script, "--serve", str(port)],
                env=bench_env(PEERWORK_DATABASE_URL=url), stdout=log_file, stderr=subprocess.STDOUT,
            )

    @property
    def pid(self) -> int:
        return self.process.pid

    def wait_until_up(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited ({self.process.returncode}):\n{self.log.read_text()[-3000:]}")
            try:
                if http("GET", self.base + "/health")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"the server did not answer /health within {timeout:g} s:\n{self.log.read_text()[-3000:]}")

    def cpu_seconds(self) -> float:
        """User + system CPU time the server process has used so far."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def wait_idle(self, timeout: float = 20) -> None:
        """Until the server stops using CPU: requests a load generator left in flight when it
        stopped are still being answered, and would eat into the next round."""
        deadline = time.monotonic() + timeout
        before = self.cpu_seconds()
        while time.monotonic() < deadline:
            time.sleep(0.1)
            now = self.cpu_seconds()
            if now - before < 0.01:  # under 10% of a core
                return
            before = now

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.returncode not in (0, -signal.SIGINT):
            print(self.log.read_text()[-3000:])


def http(method: str, url: str, headers: dict[str, str] | None = None, body: bytes | None = None,
         ) -> tuple[int, dict[str, str], bytes]:
    """One request (loopback only); any status comes back rather than raising."""
    host = urlsplit(url).hostname or ""
    if not host.startswith("127."):
        raise ValueError(f"requests go to loopback addresses only, not {host!r}")
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read()


# --- a burst of simultaneous requests -------------------------------------------------------------


@dataclass
class Answer:
    status: int
    seconds: float  # from sending the request to having read the whole answer
    body: bytes


async def _read_answer(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = re.search(rb"(?i)\r\ncontent-length:\s*(\d+)", head)
    if length is not None:
        return status, await reader.readexactly(int(length.group(1)))
    if re.search(rb"(?i)\r\ntransfer-encoding:\s*chunked", head):
        body = b""
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip(), 16)
            chunk = await reader.readexactly(size + 2)
            if size == 0:
                return status, body
            body += chunk[:-2]
    return status, b""


async def burst(base: str, requests: list[bytes], *, connect_timeout: float = 30) -> tuple[list[Answer], float]:
    """Open one connection per request, then send them all at once; (answers, wall seconds from
    the release to the last answer). Each request is raw HTTP/1.1 bytes."""
    parts = urlsplit(base)
    if not (parts.hostname or "").startswith("127."):
        raise ValueError("bursts go to loopback addresses only")
    connections = await asyncio.wait_for(asyncio.gather(*(
        asyncio.open_connection(parts.hostname, parts.port) for _ in requests
    )), connect_timeout)
    go = asyncio.Event()

    async def one(connection, request: bytes) -> Answer:
        reader, writer = connection
        await go.wait()
        started = time.perf_counter()
        writer.write(request)
        status, body = await _read_answer(reader)
        seconds = time.perf_counter() - started
        writer.close()
        return Answer(status, seconds, body)

    tasks = [asyncio.create_task(one(c, r)) for c, r in zip(connections, requests, strict=True)]
    await asyncio.sleep(0.2)  # every task is waiting on the event
    released = time.perf_counter()
    go.set()
    answers = await asyncio.gather(*tasks)
    return answers, time.perf_counter() - released


async def timed_get(base: str, path: str) -> tuple[int, float]:
    """One GET on a new connection: (status, seconds)."""
    parts = urlsplit(base)
    started = time.perf_counter()
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    writer.write(raw_request("GET", base, path, {}))
    status, _ = await _read_answer(reader)
    writer.close()
    return status, time.perf_counter() - started


def raw_request(method: str, base: str, path: str, headers: dict[str, str], body: bytes = b"") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {urlsplit(base).netloc}", "Connection: close",
             f"Content-Length: {len(body)}", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), -(-len(ordered) * q // 100)))
    return ordered[int(rank) - 1]


def timed_calls(call: Callable[[], object], seconds: float) -> tuple[int, float]:
    """Call repeatedly for about ``seconds``; (calls, seconds taken)."""
    calls = 0
    started = time.perf_counter()
    while True:
        call()
        calls += 1
        elapsed = time.perf_counter() - started
        if elapsed >= seconds:
            return calls, elapsed

"""A bounded HTTP load generator: ``wrk`` when installed, else a small asyncio client.

Both keep N connections busy with keep-alive GETs of one URL for a fixed time (the Python
client also stops at a fixed request count) and report requests per second. Only loopback
addresses are accepted. Run from another process than the server, so the two do not share
an event loop; as a script this file is the Python client.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

MAX_REQUESTS = 1_000_000  # a hard stop for the Python client, whatever the duration


@dataclass
class Load:
    tool: str
    requests: int
    seconds: float
    non_2xx: int
    errors: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def _check_loopback(url: str) -> None:
    host = urlsplit(url).hostname or ""
    if not (host.startswith("127.") or host in ("localhost", "::1")):
        raise ValueError(f"load is only sent to loopback addresses, not {host!r}")


def tool_name() -> str:
    forced = os.environ.get("BENCH_LOADGEN", "")
    if forced == "python" or (not forced and shutil.which("wrk") is None):
        return "python-asyncio"
    return "wrk"


def run_load(url: str, headers: dict[str, str], seconds: float, connections: int) -> Load:
    _check_loopback(url)
    if tool_name() == "wrk":
        return _wrk(url, headers, seconds, connections)
    command = [
        sys.executable, __file__, url, "--seconds", str(seconds), "--connections", str(connections),
        *[arg for k, v in headers.items() for arg in ("--header", f"{k}: {v}")],
    ]
    out = subprocess.run(command, check=True, capture_output=True, text=True, timeout=seconds + 60)
    return Load(**json.loads(out.stdout))


def _wrk(url: str, headers: dict[str, str], seconds: float, connections: int) -> Load:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "10s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run(command + [url], check=True, capture_output=True, text=True, timeout=seconds + 60).stdout
    done = re.search(r"(\d+) requests in ([\d.]+)(ms|s|m)", out)
    if not done:
        raise RuntimeError(f"could not read wrk's output:\n{out}")
    scale = {"ms": 0.001, "s": 1.0, "m": 60.0}[done.group(3)]
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return Load(
        tool="wrk",
        requests=int(done.group(1)),
        seconds=float(done.group(2)) * scale,
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        errors=sum(int(g) for g in socket_errors.groups()) if socket_errors else 0,
    )


# --- the Python client ------------------------------------------------------------------


async def _connection(host: str, port: int, request: bytes, deadline: float, counts: dict) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.perf_counter() < deadline and counts["sent"] < MAX_REQUESTS:
            counts["sent"] += 1
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            length = re.search(rb"(?i)\r\ncontent-length:\s*(\d+)", head)
            if length is None and status not in (204, 304):  # those never have a body (RFC 9110)
                raise RuntimeError("the server sent no Content-Length; this client needs one")
            await reader.readexactly(int(length.group(1)) if length else 0)
            counts["done"] += 1
            if not 200 <= status < 300:
                counts["non_2xx"] += 1
    except (OSError, asyncio.IncompleteReadError):
        counts["errors"] += 1
    finally:
        writer.close()


async def _python_load(url: str, headers: dict[str, str], seconds: float, connections: int) -> Load:
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    lines = [f"GET {target} HTTP/1.1", f"Host: {parts.netloc}", *(f"{k}: {v}" for k, v in headers.items())]
    request = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    counts = {"sent": 0, "done": 0, "non_2xx": 0, "errors": 0}
    started = time.perf_counter()
    await asyncio.gather(*(
        _connection(parts.hostname, parts.port or 80, request, started + seconds, counts)
        for _ in range(connections)
    ))
    return Load("python-asyncio", counts["done"], time.perf_counter() - started, counts["non_2xx"], counts["errors"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url")
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--header", action="append", default=[])
    args = parser.parse_args()
    _check_loopback(args.url)
    headers = dict(h.split(": ", 1) for h in args.header)
    try:
        from uvloop import run
    except ImportError:
        run = asyncio.run
    load = run(_python_load(args.url, headers, min(args.seconds, 60.0), args.connections))
    print(json.dumps(load.__dict__))


if __name__ == "__main__":
    main()

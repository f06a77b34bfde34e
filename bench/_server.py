"""A benchmark's servers in child processes: start one, wait for its /health, read the CPU it
has used, stop it. Shared by the benchmarks that measure over HTTP."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from _common import bench_env


def http_get(url: str, headers: dict[str, str], timeout: float = 120) -> tuple[int, bytes]:
    """Status and body; an HTTP error status is an answer too, not an exception."""
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def start_server(script: str, port: int, database_url: str, log: Path, *args: str) -> subprocess.Popen:
    """``script --serve PORT ARGS...`` against ``database_url``, its output in ``log``."""
    with open(log, "w") as log_file:
        return subprocess.Popen(
            [sys.executable, script, "--serve", str(port), *args],
            env=bench_env(PEERWORK_DATABASE_URL=database_url), stdout=log_file, stderr=subprocess.STDOUT,
        )


def wait_until_up(base: str, server: subprocess.Popen, log: Path, within: float = 90) -> None:
    """Until ``base``/health answers 200; the end of the server's log if it exits or never does."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited ({server.returncode}):\n{log.read_text()[-3000:]}")
        try:
            if http_get(base + "/health", {}, timeout=10)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server did not answer /health within {within:.0f} s:\n{log.read_text()[-3000:]}")


def stop(server: subprocess.Popen) -> None:
    """Ask it to stop as Ctrl-C would; kill it if it has not within 30 s."""
    if server.poll() is None:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

"""A free TCP port on loopback for a test server (bound, then released)."""

from __future__ import annotations

import socket


def free_port() -> int:
    """A port nothing listens on right now: bound then released, so a server can take it or a
    client can find it closed."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]

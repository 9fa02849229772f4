"""Fault tests: a service taken away mid-run (rate limit store, database, upload folder, SMTP)."""

from __future__ import annotations

import socket


def closed_port() -> int:
    """A port nothing listens on: connecting is refused at once, like a stopped service."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def reachable(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=1).close()
    except OSError:
        return False
    return True

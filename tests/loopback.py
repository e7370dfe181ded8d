"""Loopback ports for tests that start servers or need an address nobody answers at."""

from __future__ import annotations

import socket


def free_port() -> int:
    """A loopback port nothing listens on (the system picked it and it was let go)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])

"""Run a server's own tests in a process of its own (servers never share an interpreter)."""

from __future__ import annotations

import subprocess
import sys

from wagents.model import Server


def server_test_command(server: Server, *extra: str) -> list[str]:
    """The pytest command for one server; run with the server directory as working directory.

    pytest then takes its configuration from the server's pyproject (asyncio_mode, pythonpath),
    so `from server import mcp` in the tests finds this server's module and no other.
    """
    return [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *extra]


def run_server_tests(
    server: Server, *extra: str, capture: bool = False
) -> subprocess.CompletedProcess[str]:
    """Run one server's tests; with `capture`, return their output instead of printing it."""
    return subprocess.run(
        server_test_command(server, *extra),
        cwd=server.path,
        stdin=subprocess.DEVNULL,
        capture_output=capture,
        text=True,
        check=False,
    )

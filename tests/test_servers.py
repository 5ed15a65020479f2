"""Every server's own test suite, each in a process of its own (all servers are server.py)."""

from __future__ import annotations

import pytest

from wagents.deploy.servertests import run_server_tests
from wagents.workspace.root import Workspace

from .helpers import REPO_ROOT

SERVERS = Workspace.find(REPO_ROOT).servers()


def test_the_workspace_has_servers() -> None:
    assert SERVERS, "no server under mcp/"


@pytest.mark.parametrize("server", SERVERS, ids=[server.name for server in SERVERS])
def test_server_suite_passes(server) -> None:
    completed = run_server_tests(server, "-q", capture=True)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert " passed" in completed.stdout

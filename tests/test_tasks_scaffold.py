"""`wagents new NAME --tasks`: a Docket background-task server that passes every check."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from wagents.deploy.servertests import run_server_tests
from wagents.scaffold.new import render_templates
from wagents.testing import invoke_wagents, lock_workspace, scratch_workspace
from wagents.workspace.root import Workspace


@pytest.fixture(scope="module")
def workspace_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A scratch workspace where the real CLI made `jobs` (--tasks) and `plain`."""
    root = tmp_path_factory.mktemp("scaffold") / "repo"
    scratch_workspace(root)
    for args in (["jobs", "--tasks"], ["plain"]):
        completed = invoke_wagents("new", *args, "--no-sync", cwd=root)
        assert completed.returncode == 0, completed.stderr
    lock_workspace(root)  # what `wagents new` does without --no-sync
    return root


def test_the_tasks_server_declares_docket(workspace_root: Path) -> None:
    server_dir = workspace_root / "mcp" / "jobs"
    source = (server_dir / "server.py").read_text()
    assert "tasks=True," in source
    assert "@mcp.tool(task=True" in source and "async def process_batch(" in source
    assert "ctx.report_progress(" in source
    pyproject = tomllib.loads((server_dir / "pyproject.toml").read_text())
    assert pyproject["project"]["dependencies"] == ["fastmcp[tasks]>=3,<4"]
    config = json.loads((server_dir / "fastmcp.json").read_text())
    assert config["environment"]["dependencies"] == ["fastmcp[tasks]>=3,<4"]
    assert config["deployment"]["env"] == {"FASTMCP_DOCKET_URL": "${FASTMCP_DOCKET_URL}"}


def test_the_plain_server_is_unchanged(workspace_root: Path) -> None:
    server_dir = workspace_root / "mcp" / "plain"
    assert "tasks=True" not in (server_dir / "server.py").read_text()
    config = json.loads((server_dir / "fastmcp.json").read_text())
    assert config["environment"]["dependencies"] == ["fastmcp>=3,<4"]
    assert config["deployment"] == {"transport": "stdio"}


def test_both_pass_every_rule(workspace_root: Path) -> None:
    completed = invoke_wagents("validate", "--format", "json", cwd=workspace_root)
    report = json.loads(completed.stdout)
    assert report["findings"] == [], report
    assert report["summary"]["servers"] == 2
    assert completed.returncode == 0


def test_the_tasks_servers_own_tests_pass(workspace_root: Path) -> None:
    """In a subprocess: a task submitted through fastmcp.Client (memory://) and read back."""
    (server,) = Workspace.find(workspace_root).select(["jobs"])
    completed = run_server_tests(server, "-v", capture=True)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "test_process_batch_runs_as_a_background_task PASSED" in completed.stdout


def test_the_variant_overrides_only_what_differs() -> None:
    """The tasks templates repeat the base ones' shared parts word for word (no drift)."""
    plain = render_templates("demo", "Demo.", "plain")
    tasks = render_templates("demo", "Demo.", "tasks")
    assert sorted(plain) == sorted(tasks)
    marker = '@mcp.custom_route("/health"'
    assert (
        plain["server.py"][plain["server.py"].index(marker) :]
        == (tasks["server.py"][tasks["server.py"].index(marker) :])
    )
    assert tasks["README.md"].startswith(plain["README.md"])
    health_test = plain["tests/test_server.py"][
        plain["tests/test_server.py"].index("async def test_health_route_answers") :
    ]
    assert tasks["tests/test_server.py"].endswith(health_test)
    assert (
        plain["pyproject.toml"].replace("fastmcp>=3,<4", "fastmcp[tasks]>=3,<4")
        == (tasks["pyproject.toml"])
    )

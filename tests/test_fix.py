"""`wagents validate --fix` in scratch workspaces: what it changes, byte for byte, and what not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wagents.testing import invoke_wagents, lock_workspace, scratch_workspace

from .helpers import require_tool

DECORATED_CONFIG = """{
    "$schema":"https://gofastmcp.com/public/schemas/fastmcp.json/v1.json",

    "source" :  { "path": "server.py", "entrypoint": "mcp" },
    "environment": {
        "python": "3.11",
        "dependencies": [
            "fastmcp>=3,<4"
        ]
    },
    "deployment": {"transport": "stdio"}
}
"""

DECORATED_PYPROJECT = """# The alpha server.
[project]
name = "alpha"   # keep this comment
version = "0.1.0"
requires-python = ">=3.11"
dependencies = [
    "fastmcp>=3,<4",  # the framework
    "httpx>=0.28",
]

[tool.uv]
package = false


[tool.pytest.ini_options]
# options for the server's tests
pythonpath = ["."]
testpaths = ["tests"]

[tool.ruff]
line-length = 100
"""


def snapshot(root: Path) -> dict[Path, bytes]:
    """Every file under `root` but bytecode caches and wagents' own state (`.wagents/`, where
    validate keeps its result cache)."""
    return {
        path: path.read_bytes()
        for path in root.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and ".wagents" not in path.parts
    }


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    require_tool("uv")
    root = tmp_path / "repo"
    scratch_workspace(root, ["alpha", "beta"], locked=True, surfaces=True)
    server = root / "mcp" / "alpha"
    (server / "fastmcp.json").write_text(DECORATED_CONFIG)
    (server / "pyproject.toml").write_text(DECORATED_PYPROJECT)
    return root


def test_fix_edits_only_what_it_must_then_validates_clean(workspace: Path) -> None:
    server = workspace / "mcp" / "alpha"
    beta_before = snapshot(workspace / "mcp" / "beta")

    result = invoke_wagents("validate", "--fix", cwd=workspace)

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == "All checks passed (2 servers).\n"
    assert result.stderr.splitlines() == [
        "fixed: mcp/alpha/fastmcp.json: environment.dependencies set from pyproject.toml "
        "(dependency-parity)",
        'fixed: mcp/alpha/pyproject.toml: asyncio_mode = "auto" for pytest (pytest-asyncio-mode)',
        "fixed: uv.lock: relocked with `uv lock` (lockfile)",
    ]
    # fastmcp.json: the array is rewritten in its own layout, every other byte is as it was.
    old_array = '[\n            "fastmcp>=3,<4"\n        ]'
    new_array = '[\n            "fastmcp>=3,<4",\n            "httpx>=0.28"\n        ]'
    assert (server / "fastmcp.json").read_text() == DECORATED_CONFIG.replace(old_array, new_array)
    # pyproject.toml: one line added at the end of its pytest table, nothing else touched.
    assert (server / "pyproject.toml").read_text() == DECORATED_PYPROJECT.replace(
        'testpaths = ["tests"]\n', 'testpaths = ["tests"]\nasyncio_mode = "auto"\n'
    )
    assert "httpx" in (workspace / "uv.lock").read_text()
    beta_after = snapshot(workspace / "mcp" / "beta")
    assert beta_after == beta_before

    again = invoke_wagents("validate", "--fix", cwd=workspace)
    assert again.returncode == 0 and again.stderr == ""


def test_fix_respects_select(workspace: Path) -> None:
    server = workspace / "mcp" / "alpha"
    lock_before = (workspace / "uv.lock").read_bytes()
    result = invoke_wagents(
        "validate", "--fix", "--select", "dependency-parity", "-f", "json", cwd=workspace
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["findings"] == []
    assert "(dependency-parity)" in result.stderr
    assert (server / "pyproject.toml").read_text() == DECORATED_PYPROJECT
    assert (workspace / "uv.lock").read_bytes() == lock_before  # stale, but not selected


def test_fix_leaves_a_pytest_ini_alone_and_says_so(workspace: Path) -> None:
    server = workspace / "mcp" / "alpha"
    (server / "pytest.ini").write_text("[pytest]\nasyncio_mode = strict\n")
    result = invoke_wagents(
        "validate", "alpha", "--fix", "--select", "pytest-asyncio-mode", cwd=workspace
    )
    assert result.returncode == 0  # a warning
    assert (
        "not fixed: alpha: pytest reads mcp/alpha/pytest.ini; set asyncio_mode = auto there "
        "(pytest-asyncio-mode)"
    ) in result.stderr
    assert "warning[pytest-asyncio-mode] mcp/alpha/pytest.ini" in result.stdout
    assert (server / "pytest.ini").read_text() == "[pytest]\nasyncio_mode = strict\n"
    assert (server / "pyproject.toml").read_text() == DECORATED_PYPROJECT


def test_fix_registers_a_server_copied_in_by_hand(tmp_path: Path) -> None:
    require_tool("uv")
    root = tmp_path / "repo"
    scratch_workspace(root, ["alpha"], locked=True)
    original_root = (root / "pyproject.toml").read_text()
    scratch_workspace(tmp_path / "other", ["beta"])
    (tmp_path / "other" / "mcp" / "beta").rename(root / "mcp" / "beta")

    result = invoke_wagents("validate", "--fix", cwd=root)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "fixed: pyproject.toml: registered beta" in result.stderr
    assert "fixed: uv.lock: relocked" in result.stderr
    assert (root / "pyproject.toml").read_text() == original_root.replace(
        'servers = ["alpha"]', 'servers = ["alpha", "beta"]'
    ).replace(
        "alpha = { workspace = true }\n",
        "alpha = { workspace = true }\nbeta = { workspace = true }\n",
    )
    assert 'name = "beta"' in (root / "uv.lock").read_text()


def test_without_fix_nothing_is_written(workspace: Path) -> None:
    before = snapshot(workspace)
    result = invoke_wagents("validate", cwd=workspace)
    assert result.returncode == 1
    after = snapshot(workspace)
    assert after == before


def test_lock_workspace_makes_the_lockfile_rule_pass(tmp_path: Path) -> None:
    require_tool("uv")
    root = tmp_path / "repo"
    scratch_workspace(root, ["alpha"])
    missing = invoke_wagents("validate", "--select", "lockfile", cwd=root)
    assert "uv.lock is missing" in missing.stdout
    lock_workspace(root)
    assert invoke_wagents("validate", "--select", "lockfile", cwd=root).returncode == 0

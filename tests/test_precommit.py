"""The pre-commit hook (.pre-commit-hooks.yaml), installed and run by pre-commit itself.

A consumer repository (a scratch workspace) uses a committed copy of this repository as its hook
repository, by path. pre-commit clones it and builds the hook's environment with pip from the
package registry (about 40 s the first time), so these tests are marked slow; CI runs them.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
import yaml

from wagents.testing import copy_repository, git, scratch_workspace

from .helpers import REPO_ROOT, require_tool

pytestmark = pytest.mark.slow


def test_the_manifest_declares_the_hook() -> None:
    (hook,) = yaml.safe_load((REPO_ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "wagents-validate"
    assert hook["entry"] == "wagents validate --files"
    assert hook["pass_filenames"] is True


@pytest.fixture(scope="module")
def consumer(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A workspace with servers `good` and `bad` (typo in fastmcp.json), using the hook."""
    require_tool("git")
    base = tmp_path_factory.mktemp("pre-commit")
    hooks = copy_repository(REPO_ROOT, base / "hook-repository")
    git(hooks, "init", "-q", "-b", "main")
    git(hooks, "add", "-A")
    git(hooks, "commit", "-q", "-m", "hooks")
    revision = git(hooks, "rev-parse", "HEAD").strip()

    root = base / "consumer"
    scratch_workspace(root, ["good", "bad"], locked=True)
    config = root / "mcp" / "bad" / "fastmcp.json"
    data = json.loads(config.read_text())
    data["enviroment"] = data.pop("environment")
    config.write_text(json.dumps(data, indent=2))
    (root / "README.md").write_text("docs\n")
    (root / ".pre-commit-config.yaml").write_text(
        yaml.safe_dump(
            {
                "repos": [
                    {"repo": str(hooks), "rev": revision, "hooks": [{"id": "wagents-validate"}]}
                ]
            }
        )
    )
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "initial", "--no-verify")
    env = {key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"}
    env["PRE_COMMIT_HOME"] = str(base / "cache")  # never the user's ~/.cache/pre-commit
    env["PRE_COMMIT_COLOR"] = "never"
    return root, env


def pre_commit(consumer: tuple[Path, dict[str, str]], *args: str) -> subprocess.CompletedProcess:
    root, env = consumer
    return subprocess.run(
        [require_tool("pre-commit"), *args],
        cwd=root,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_a_clean_server_passes(consumer: tuple[Path, dict[str, str]]) -> None:
    result = pre_commit(consumer, "run", "--files", "mcp/good/server.py")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "wagents validate (changed servers)" in result.stdout
    assert "Passed" in result.stdout


def test_a_broken_server_fails_and_only_it_is_checked(
    consumer: tuple[Path, dict[str, str]],
) -> None:
    result = pre_commit(consumer, "run", "--files", "mcp/bad/fastmcp.json", "README.md")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "error[fastmcp-json] mcp/bad/fastmcp.json:" in result.stdout
    assert "Checked 1 server: 2 errors" in result.stdout


def test_a_shared_file_checks_every_server(consumer: tuple[Path, dict[str, str]]) -> None:
    result = pre_commit(consumer, "run", "--files", "pyproject.toml")
    assert result.returncode == 1
    assert "Checked 2 servers" in result.stdout


def test_files_outside_servers_check_nothing(consumer: tuple[Path, dict[str, str]]) -> None:
    result = pre_commit(consumer, "run", "--verbose", "--files", "README.md")
    assert result.returncode == 0, result.stdout
    assert "All checks passed (0 servers)." in result.stdout


def test_git_commit_is_refused_for_a_broken_server(
    consumer: tuple[Path, dict[str, str]],
) -> None:
    root, env = consumer
    assert pre_commit(consumer, "install").returncode == 0
    (root / "mcp" / "bad" / "server.py").write_text(
        (root / "mcp" / "bad" / "server.py").read_text() + "\n# touched\n"
    )
    git(root, "add", "mcp/bad/server.py")
    refused = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "touch bad"],
        cwd=root,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert refused.returncode != 0
    assert "error[fastmcp-json]" in refused.stdout + refused.stderr
    assert git(root, "log", "--format=%s") == "initial\n"

"""`wagents new` in scratch copies of this repository: end to end with real processes, uv and
git; argument handling and edits of the root pyproject in-process (`invoke_wagents`)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from pathlib import Path

import pytest

from wagents.testing import (
    bystander_name,
    copy_repository,
    invoke_wagents,
    lock_workspace,
    run_wagents,
    unused_server_name,
)
from wagents.workspace.root import Workspace

from .helpers import REPO_ROOT, require_tool

#: Names of servers these tests add to copies of this repository: none its servers (or a user's)
#: already have.
WEATHER = unused_server_name(REPO_ROOT, "weather")
ALPHA = unused_server_name(REPO_ROOT, "alpha")
GAMMA = unused_server_name(REPO_ROOT, "gamma")
#: A server every copy has (copy_repository adds it).
BYSTANDER = bystander_name(REPO_ROOT)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A scratch copy of this repository with a bystander server (no .venv: the running
    environment is used)."""
    return copy_repository(REPO_ROOT, tmp_path / "repo")


@pytest.fixture(scope="module")
def shared_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One copy for the tests that must leave it as it is (each checks that it did)."""
    return copy_repository(REPO_ROOT, tmp_path_factory.mktemp("new") / "repo")


def snapshot(root: Path) -> dict[str, str]:
    """Every file under `root` with a hash of its content (what 'nothing written' compares)."""
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def test_new_then_validate_then_test(repo: Path) -> None:
    before = len(Workspace.find(repo).servers())
    created = run_wagents("new", WEATHER, "--description", "Forecasts.", "--no-sync", cwd=repo)
    assert created.returncode == 0, created.stderr
    server = repo / "mcp" / WEATHER
    assert sorted(p.relative_to(server).as_posix() for p in server.rglob("*") if p.is_file()) == [
        ".gitignore",
        "README.md",
        "fastmcp.json",
        "mcp-surface.json",
        "pyproject.toml",
        "server.py",
        "tests/test_server.py",
    ]
    assert f"uv run wagents validate {WEATHER}" in created.stdout
    surface = json.loads((server / "mcp-surface.json").read_text())
    assert surface["server"]["version"] == "0.1.0"  # its own, not FastMCP's
    assert [tool["name"] for tool in surface["tools"]] == ["echo"]
    require_tool("uv")
    lock_workspace(repo)  # what `wagents new` does without --no-sync

    validated = run_wagents("validate", "--format", "json", cwd=repo)
    assert validated.returncode == 0, validated.stdout + validated.stderr
    report = json.loads(validated.stdout)
    assert report["findings"] == []
    assert report["summary"]["servers"] == before + 1

    tested = run_wagents("test", WEATHER, cwd=repo)
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "3 passed" in tested.stdout


def test_validate_works_from_a_subdirectory(repo: Path) -> None:
    result = invoke_wagents("validate", BYSTANDER, cwd=repo / "mcp" / BYSTANDER / "tests")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "All checks passed (1 server)." in result.stdout


def test_new_keeps_every_line_of_a_decorated_root_pyproject(repo: Path) -> None:
    decorated = (
        "# The root of a team's monorepo.\n"
        "[project]\n"
        'name   =   "team-mcp"   # spaced out on purpose\n'
        'version = "1.0.0"\n'
        'requires-python = ">=3.11"\n'
        "\n"
        "\n"
        "[dependency-groups]\n"
        "servers = [\n"
        '    "workspace-tools",  # the reference server\n'
        "    # new servers go here\n"
        "]\n"
        "\n"
        "[tool.uv.workspace]\n"
        "# explicit list, no glob\n"
        'members = [ "mcp/workspace-tools" ,  "tools/wagents" ]\n'
        "\n"
        "[tool.uv.sources]\n"
        "wagents = { workspace = true }\n"
        "workspace-tools = { workspace = true }   # trailing comment\n"
        "\n"
        "# a comment at the end\n"
    )
    (repo / "pyproject.toml").write_text(decorated)
    result = invoke_wagents("new", ALPHA, "--no-sync", cwd=repo)
    assert result.returncode == 0, result.stderr
    after = (repo / "pyproject.toml").read_text()
    after_lines = after.splitlines()
    # Every original line but the edited members array is still there, in order.
    position = 0
    for line in decorated.splitlines():
        if line.startswith("members"):
            continue
        position = after_lines.index(line, position) + 1
    members = next(line for line in after_lines if line.startswith("members"))
    assert members == f'members = [ "mcp/workspace-tools" ,  "tools/wagents",  "mcp/{ALPHA}" ]'
    assert f'    "{ALPHA}",' in after_lines
    assert f"{ALPHA} = {{ workspace = true }}" in after
    assert len(after_lines) == len(decorated.splitlines()) + 2


def test_new_keeps_crlf_line_endings(repo: Path) -> None:
    root = repo / "pyproject.toml"
    original = root.read_bytes().replace(b"\n", b"\r\n")
    root.write_bytes(original)
    assert invoke_wagents("new", ALPHA, "--no-sync", cwd=repo).returncode == 0
    after = root.read_bytes()
    assert b"\n" not in after.replace(b"\r\n", b"")
    assert after.startswith(original.split(b"servers = [")[0])


BAD_NAMES = [
    "",
    "Weather",
    "my server",
    "a/b",
    "../escape",
    "..",
    "/tmp/abs",
    "-leading",
    "trailing-",
    "double--hyphen",
    "caf\u00e9",
    "semi;colon",
    "$(touch pwned)",
    "x" * 65,
    "class",
    "tests",
    BYSTANDER,  # taken
    "httpx",
]


@pytest.mark.parametrize("name", BAD_NAMES)
def test_bad_names_are_refused_and_nothing_is_written(shared_repo: Path, name: str) -> None:
    repo = shared_repo
    before = snapshot(repo)
    result = invoke_wagents("new", "--no-sync", "--", name, cwd=repo)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(repo) == before
    assert not (repo / "pwned").exists()


def test_a_malformed_root_pyproject_is_refused_and_left_alone(repo: Path) -> None:
    root = repo / "pyproject.toml"
    root.write_text(root.read_text() + "\n[tool.uv.workspace\nbroken = \n")
    before = snapshot(repo)
    result = invoke_wagents("new", ALPHA, "--no-sync", cwd=repo)
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and len(result.stderr.strip().splitlines()) == 1
    assert "pyproject.toml" in result.stderr
    assert snapshot(repo) == before


def test_new_outside_a_workspace_is_a_usage_error(tmp_path: Path) -> None:
    result = invoke_wagents("new", "alpha", "--no-sync", cwd=tmp_path)
    assert result.returncode == 2
    assert "no uv workspace found" in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow  # installs the workspace into a new environment
def test_new_with_real_uv_and_git_from_a_fresh_clone(tmp_path: Path) -> None:
    """The whole flow a user sees: clone, `uv run wagents new`, `uv run wagents validate`."""
    uv = require_tool("uv")
    repo = copy_repository(REPO_ROOT, tmp_path / "repo")
    env = {key: value for key, value in os.environ.items() if not key.startswith("VIRTUAL_ENV")}
    env["UV_PROJECT_ENVIRONMENT"] = str(tmp_path / "venv")

    def run(*command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            command, cwd=repo, env=env, capture_output=True, text=True, check=False, timeout=600
        )

    servers = len(Workspace.find(repo).servers()) + 1
    for command in (["git", "init", "-q"], ["git", "add", "-A"]):
        assert run(*command).returncode == 0
    assert (
        run("git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x").returncode
        == 0
    )
    created = run(uv, "run", "--locked", "wagents", "new", GAMMA)
    assert created.returncode == 0, created.stdout + created.stderr
    assert GAMMA in (repo / "uv.lock").read_text()
    status = run("git", "status", "--porcelain").stdout
    assert " M pyproject.toml" in status and " M uv.lock" in status and f"?? mcp/{GAMMA}/" in status
    validated = run(uv, "run", "--locked", "wagents", "validate")
    assert validated.returncode == 0, validated.stdout + validated.stderr
    assert f"All checks passed ({servers} servers)." in validated.stdout
    tested = run(uv, "run", "--locked", "wagents", "test", GAMMA)
    assert tested.returncode == 0, tested.stdout + tested.stderr

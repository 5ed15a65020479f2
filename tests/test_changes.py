"""`wagents.workspace.changes`: which servers a change touches, against a real git repository."""

from __future__ import annotations

from pathlib import Path

import pytest

from wagents.model import Server, UsageError
from wagents.testing import commit_all, git
from wagents.workspace.changes import SharedInputs, changes_since, shared_inputs
from wagents.workspace.root import Workspace

from .conftest import require_tool

ROOT_PYPROJECT = (
    '[project]\nname = "root"\nversion = "0"\n\n[tool.uv.workspace]\nmembers = ["mcp/*"]\n'
)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository holding a workspace with servers alpha, beta and gamma, one commit."""
    require_tool("git")
    root = tmp_path / "repo"
    for name in ("alpha", "beta", "gamma"):
        (root / "mcp" / name).mkdir(parents=True)
        (root / "mcp" / name / "server.py").write_text("x = 1\n")
    (root / "pyproject.toml").write_text(ROOT_PYPROJECT)
    (root / "uv.lock").write_text("version = 1\n")
    (root / "tools" / "wagents").mkdir(parents=True)
    (root / "tools" / "wagents" / "core.py").write_text("")
    (root / "README.md").write_text("docs\n")
    git(root, "init", "-q", "-b", "main")
    commit_all(root, "initial")
    return root


def selected(root: Path, ref: str = "main") -> list[str]:
    workspace = Workspace.find(root)
    return [server.name for server in changes_since(workspace, ref).select(workspace.servers())]


def test_no_change_selects_nothing(repo: Path) -> None:
    assert selected(repo) == []


def test_one_server_changed_on_a_branch(repo: Path) -> None:
    git(repo, "switch", "-q", "-c", "feature")
    (repo / "mcp" / "beta" / "server.py").write_text("x = 2\n")
    commit_all(repo, "beta")
    assert selected(repo) == ["beta"]


def test_two_servers_committed_and_uncommitted_and_untracked(repo: Path) -> None:
    git(repo, "switch", "-q", "-c", "feature")
    (repo / "mcp" / "alpha" / "server.py").write_text("x = 2\n")
    commit_all(repo, "alpha")
    (repo / "mcp" / "gamma" / "helper.py").write_text("")  # untracked
    assert selected(repo) == ["alpha", "gamma"]


def test_changes_on_the_base_branch_after_forking_do_not_count(repo: Path) -> None:
    git(repo, "switch", "-q", "-c", "feature")
    (repo / "mcp" / "alpha" / "server.py").write_text("x = 2\n")
    commit_all(repo, "alpha")
    git(repo, "switch", "-q", "main")
    (repo / "mcp" / "beta" / "server.py").write_text("x = 3\n")
    commit_all(repo, "beta on main")
    git(repo, "switch", "-q", "feature")
    assert selected(repo) == ["alpha"]


@pytest.mark.parametrize(
    "shared", ["pyproject.toml", "uv.lock", "tools/wagents/core.py", ".github/workflows/ci.yml"]
)
def test_a_shared_file_selects_every_server(repo: Path, shared: str) -> None:
    path = repo / shared
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(path.read_text() + "\n# changed\n" if path.exists() else "on: push\n")
    assert selected(repo) == ["alpha", "beta", "gamma"]


def test_docs_outside_servers_select_nothing(repo: Path) -> None:
    (repo / "README.md").write_text("more docs\n")
    changes = changes_since(Workspace.find(repo), "main")
    assert changes.paths == ("README.md",)
    assert changes.select([Server("alpha", repo / "mcp" / "alpha")]) == []


def test_a_deleted_server_is_not_selected(repo: Path) -> None:
    git(repo, "rm", "-q", "-r", "mcp/gamma")
    changes = changes_since(Workspace.find(repo), "main")
    assert changes.server_names == {"gamma"}
    assert selected(repo) == []


def test_workspace_in_a_subdirectory_of_the_repository(tmp_path: Path) -> None:
    require_tool("git")
    repo = tmp_path / "repo"
    root = repo / "servers-workspace"
    (root / "mcp" / "alpha").mkdir(parents=True)
    (root / "mcp" / "alpha" / "server.py").write_text("")
    (root / "pyproject.toml").write_text(ROOT_PYPROJECT)
    git(repo, "init", "-q", "-b", "main")
    commit_all(repo, "initial")
    (repo / "pyproject.toml").write_text("# an unrelated project above the workspace\n")
    (root / "mcp" / "alpha" / "server.py").write_text("x = 1\n")
    changes = changes_since(Workspace.find(root), "main")
    assert changes.paths == ("mcp/alpha/server.py",)
    assert changes.shared == ()


@pytest.mark.parametrize(
    ("ref", "message"),
    [("no-such-branch", "unknown git ref"), ("--output=x", "not a git ref")],
)
def test_bad_refs_are_usage_errors(repo: Path, ref: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        changes_since(Workspace.find(repo), ref)
    assert not (repo / "x").exists()


def test_outside_a_git_repository_is_a_usage_error(tmp_path: Path) -> None:
    require_tool("git")
    (tmp_path / "pyproject.toml").write_text(ROOT_PYPROJECT)
    with pytest.raises(UsageError, match="not inside a git repository"):
        changes_since(Workspace.find(tmp_path), "main")


def test_shared_inputs() -> None:
    inputs = SharedInputs()
    assert inputs.covers("tools/wagents/src/wagents/cli.py")
    assert inputs.covers(".github/workflows/servers.yml")
    assert inputs.covers(".gitignore")
    assert not inputs.covers("mcp/alpha/pyproject.toml")
    assert not inputs.covers("docs/pyproject.toml")
    assert not inputs.covers("toolsy/x.py")


def test_non_server_members_are_shared_inputs(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    (root / "libs" / "common").mkdir(parents=True)
    (root / "mcp").mkdir()
    (root / "pyproject.toml").write_text(
        ROOT_PYPROJECT.replace('members = ["mcp/*"]', 'members = ["mcp/*", "libs/*"]')
    )
    inputs = shared_inputs(Workspace.find(root))
    assert inputs.covers("libs/common/pyproject.toml")
    assert not inputs.covers("mcp/alpha/server.py")


def test_the_cache_and_changed_since_agree_on_the_root_gitignore(repo: Path) -> None:
    """One definition of shared inputs: a root .gitignore edit selects every server and changes
    every server's cache key."""
    from wagents.check.cache import _shared_digest

    workspace = Workspace.find(repo)
    before = _shared_digest(workspace)
    with (repo / ".gitignore").open("a") as stream:
        stream.write("\n# another rule\n*.tmp\n")
    assert _shared_digest(Workspace.find(repo)) != before
    changed = changes_since(Workspace.find(repo), "HEAD")
    assert changed.shared == (".gitignore",)
    assert changed.select(workspace.servers()) == workspace.servers()


def test_changes_in_given_files(repo: Path) -> None:
    """pre-commit's file list (relative to the repository root) instead of a git diff."""
    from wagents.workspace.changes import changes_in

    workspace = Workspace.find(repo)
    changes = changes_in(workspace, ["mcp/beta/server.py", "README.md", "../outside.py"], cwd=repo)
    assert changes.paths == ("README.md", "mcp/beta/server.py")
    assert [server.name for server in changes.select(workspace.servers())] == ["beta"]
    from_subdirectory = changes_in(
        workspace, ["server.py", "../gamma/x.py"], cwd=repo / "mcp" / "alpha"
    )
    assert from_subdirectory.server_names == {"alpha", "gamma"}
    shared = changes_in(workspace, ["uv.lock"], cwd=repo)
    assert len(shared.select(workspace.servers())) == 3

"""`wagents matrix`: the CI matrix over servers, against real git repositories."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wagents.model import UsageError
from wagents.testing import commit_all, git, invoke_wagents, scratch_workspace
from wagents.workspace.matrix import build_matrix, lowest_python
from wagents.workspace.root import Workspace

from .helpers import require_tool


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A committed workspace with scaffolded servers alpha, beta and gamma (copied per test)."""
    require_tool("git")
    root = tmp_path_factory.mktemp("matrix") / "repo"
    scratch_workspace(root, ["alpha", "beta", "gamma"])
    (root / "uv.lock").write_text("version = 1\n")
    (root / "README.md").write_text("docs\n")
    git(root, "init", "-q", "-b", "main")
    commit_all(root, "initial")
    return root


@pytest.fixture
def repo(template: Path, tmp_path: Path) -> Path:
    """A fresh clone of the template on a branch `feature`."""
    clone = tmp_path / "repo"
    git(tmp_path, "clone", "-q", str(template), str(clone))
    git(clone, "switch", "-q", "-c", "feature")
    return clone


def matrix_servers(root: Path, changed_since: str | None = "origin/main") -> list[str]:
    result = build_matrix(Workspace.find(root), changed_since).as_dict()
    return [entry["server"] for entry in result["include"]]


def touch(root: Path, relative: str, text: str = "# changed\n") -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(text)


def test_all_servers_without_a_ref(repo: Path) -> None:
    result = build_matrix(Workspace.find(repo)).as_dict()
    assert result == {
        "include": [
            {"server": name, "path": f"mcp/{name}", "python": "3.11"}
            for name in ("alpha", "beta", "gamma")
        ]
    }


def test_nothing_changed_gives_an_empty_matrix(repo: Path) -> None:
    assert matrix_servers(repo) == []
    touch(repo, "README.md")
    commit_all(repo, "docs only")
    assert matrix_servers(repo) == []


def test_one_server_touched(repo: Path) -> None:
    touch(repo, "mcp/beta/server.py")
    commit_all(repo, "beta")
    assert matrix_servers(repo) == ["beta"]


def test_two_servers_touched(repo: Path) -> None:
    touch(repo, "mcp/alpha/tests/test_server.py")
    commit_all(repo, "alpha")
    (repo / "mcp" / "gamma" / "fastmcp.json").write_text(
        (repo / "mcp" / "gamma" / "fastmcp.json").read_text().replace("stdio", "http")
    )  # uncommitted edits count too
    assert matrix_servers(repo) == ["alpha", "gamma"]


@pytest.mark.parametrize(
    "shared", ["pyproject.toml", "uv.lock", "tools/wagents/x.py", ".github/workflows/ci.yml"]
)
def test_shared_files_select_every_server(repo: Path, shared: str) -> None:
    touch(repo, shared)
    commit_all(repo, "shared")
    assert matrix_servers(repo) == ["alpha", "beta", "gamma"]


def test_python_from_fastmcp_json_then_requires_python(repo: Path) -> None:
    config = repo / "mcp" / "alpha" / "fastmcp.json"
    data = json.loads(config.read_text())
    data["environment"]["python"] = "3.12"
    config.write_text(json.dumps(data))
    pyproject = repo / "mcp" / "beta" / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace('requires-python = ">=3.11"', 'requires-python = ">3.10.2"')
    )
    pythons = {
        entry["server"]: entry["python"]
        for entry in build_matrix(Workspace.find(repo)).as_dict()["include"]
    }
    assert pythons == {"alpha": "3.12", "beta": "3.10", "gamma": "3.11"}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("3.13", "3.13"),
        ("3.11.4", "3.11"),
        (">=3.10", "3.10"),
        (">=3.11.4,<4", "3.11"),
        ("~=3.12", "3.12"),
        ("==3.12.*", "3.12"),
        (">3.11", "3.11"),
        ("<3.13,>=3.9", "3.9"),
    ],
)
def test_lowest_python(value: str, expected: str) -> None:
    assert lowest_python(value) == expected


@pytest.mark.parametrize("value", ["", "three", ">=4", 3.11, None])
def test_lowest_python_refuses_nonsense(value: object) -> None:
    with pytest.raises(UsageError, match="where"):
        lowest_python(value, "where")


def test_cli_json_and_github_output(repo: Path) -> None:
    everything = invoke_wagents("matrix", cwd=repo / "mcp" / "beta")
    assert everything.returncode == 0, everything.stderr
    assert [e["server"] for e in json.loads(everything.stdout)["include"]] == [
        "alpha",
        "beta",
        "gamma",
    ]
    touch(repo, "mcp/beta/server.py")
    changed = invoke_wagents(
        "matrix", "--changed-since", "origin/main", "--format", "github-output", cwd=repo
    )
    assert changed.returncode == 0, changed.stderr
    assert changed.stdout == (
        'matrix={"include":[{"server":"beta","path":"mcp/beta","python":"3.11"}]}\n'
        "has-servers=true\ncount=1\n"
    )


def test_cli_empty_change_set(repo: Path) -> None:
    result = invoke_wagents(
        "matrix", "--changed-since", "origin/main", "-f", "github-output", cwd=repo
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == 'matrix={"include":[]}\nhas-servers=false\ncount=0\n'
    as_json = invoke_wagents("matrix", "--changed-since", "HEAD", cwd=repo)
    assert json.loads(as_json.stdout) == {"include": []}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--changed-since", "no-such-ref"], "error: unknown git ref 'no-such-ref'"),
        (["--format", "yaml"], "error: Invalid value for '--format'"),
    ],
)
def test_cli_usage_errors(repo: Path, args: list[str], message: str) -> None:
    result = invoke_wagents("matrix", *args, cwd=repo)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith(message)
    assert len(result.stderr.strip().splitlines()) == 1


def test_cli_bad_python_is_one_line(repo: Path) -> None:
    config = repo / "mcp" / "gamma" / "fastmcp.json"
    data = json.loads(config.read_text())
    data["environment"]["python"] = "latest"
    config.write_text(json.dumps(data))
    result = invoke_wagents("matrix", cwd=repo)
    assert result.returncode == 2
    assert result.stderr == (
        "error: mcp/gamma/fastmcp.json environment.python: 'latest' is neither a Python version "
        "nor a version specifier\n"
    )

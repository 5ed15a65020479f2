"""Workspace discovery, membership globs and the root-pyproject edit."""

from __future__ import annotations

import tomllib
from importlib.metadata import distributions
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name

from wagents.files.toml_edit import register_server
from wagents.model import UsageError
from wagents.scaffold.names import check_server_name, installed_distributions
from wagents.workspace.root import Workspace


def write_root(root: Path, workspace_table: str) -> Workspace:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(f"[tool.uv.workspace]\n{workspace_table}\n")
    return Workspace.find(root)


@pytest.mark.parametrize(
    ("table", "member"),
    [
        ('members = ["mcp/*"]', True),
        ('members = ["mcp/a"]', True),
        ('members = ["./mcp/a/"]', True),
        ('members = ["mcp/**"]', True),
        ('members = ["mcp/b"]', False),
        ('members = ["tools/*"]', False),
        ('members = ["mcp/*"]\nexclude = ["mcp/a"]', False),
        ('members = ["mcp/*"]\nexclude = ["mcp/b*"]', True),
        ("", False),
    ],
)
def test_membership(tmp_path: Path, table: str, member: bool) -> None:
    workspace = write_root(tmp_path, table)
    assert workspace.is_member(tmp_path / "mcp" / "a") is member


def test_the_root_is_found_from_a_nested_server_directory(tmp_path: Path) -> None:
    write_root(tmp_path, 'members = ["mcp/*"]')
    nested = tmp_path / "mcp" / "a" / "tests"
    nested.mkdir(parents=True)
    (tmp_path / "mcp" / "a" / "pyproject.toml").write_text('[project]\nname = "a"\n')
    assert Workspace.find(nested).root == tmp_path


def test_a_broken_root_is_reported_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.uv.workspace]\nmembers = [\n")
    with pytest.raises(UsageError, match=r"pyproject.toml:2 is not valid TOML"):
        Workspace.find(tmp_path)


def test_register_server_is_idempotent_and_parses() -> None:
    text = '[tool.uv.workspace]\nmembers = ["mcp/*"]\n'
    once = register_server(text, name="a", member_path="mcp/a", covered=True, group="servers")
    twice = register_server(once, name="a", member_path="mcp/a", covered=True, group="servers")
    assert once == twice
    data = tomllib.loads(once)
    assert data["dependency-groups"]["servers"] == ["a"]
    assert data["tool"]["uv"]["sources"]["a"] == {"workspace": True}
    assert data["tool"]["uv"]["default-groups"] == ["dev", "servers"]
    assert data["tool"]["uv"]["workspace"]["members"] == ["mcp/*"]


def test_register_server_refuses_a_non_table(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="'dependency-groups' must be a table"):
        register_server(
            'dependency-groups = "x"\n',
            name="a",
            member_path="mcp/a",
            covered=True,
            group="servers",
        )


@pytest.mark.parametrize("name", ["a", "weather", "git-tools", "x1", "a" * 64])
def test_good_names(name: str) -> None:
    check_server_name(name, taken_distributions=frozenset())


@pytest.mark.parametrize(
    "name", ["", "A", "1a", "a_b", "a.b", "a-", "-a", "a--b", "a" * 65, "def", "match"]
)
def test_bad_names(name: str) -> None:
    with pytest.raises(UsageError):
        check_server_name(name, taken_distributions=frozenset())


def test_installed_distributions_are_those_importlib_metadata_finds() -> None:
    """Read from metadata directory names, they are the names in the metadata files."""
    named = {canonicalize_name(dist.metadata["Name"]) for dist in distributions()}
    assert installed_distributions() == named
    assert {"fastmcp", "wagents", "packaging"} <= named


def test_a_server_may_not_take_an_installed_distributions_name() -> None:
    with pytest.raises(UsageError, match="installed in this workspace"):
        check_server_name("httpx")

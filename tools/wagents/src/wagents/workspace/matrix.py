"""The CI matrix over servers: one entry per server to check, with the Python it runs on.

The shape is GitHub Actions' `strategy.matrix` with only an `include` list, so a workflow can
pass it through a job output into `strategy.matrix: ${{ fromJSON(...) }}`:

    {"include": [{"server": "weather", "path": "mcp/weather", "python": "3.11"}, ...]}

`python` is the server's fastmcp.json `environment.python`, else the lowest Python its
pyproject's `requires-python` admits, else the root's, else the running interpreter's. An empty
`include` list is a valid answer (nothing to check); GitHub refuses a matrix without entries, so a
workflow must skip the matrix job then (`wagents matrix --format github-output` says
`has-servers=false`).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from wagents.model import Server, UsageError
from wagents.workspace.changes import changes_since
from wagents.workspace.root import Workspace
from wagents.workspace.server import ServerFiles

#: Python 3 minor versions considered when turning `requires-python` into a lowest version.
_MINORS = range(0, 40)
#: Patch levels tried per minor version (`>=3.11.4` admits 3.11 through 3.11.4 and later).
_PATCHES = range(0, 50)


@dataclass(frozen=True)
class Entry:
    """One matrix job: which server, where it lives, which Python runs it."""

    server: str
    path: str
    python: str


@dataclass(frozen=True)
class Matrix:
    """The servers a CI run checks (`changed_since` is the ref they were selected against)."""

    entries: tuple[Entry, ...]
    changed_since: str | None = None

    def as_dict(self) -> dict[str, list[dict[str, str]]]:
        """The `strategy.matrix` value: `{"include": [entry, ...]}`."""
        return {"include": [asdict(entry) for entry in self.entries]}

    def to_json(self, indent: int | None = None) -> str:
        separators = None if indent else (",", ":")
        return json.dumps(self.as_dict(), indent=indent, separators=separators)

    def github_output(self) -> str:
        """`key=value` lines for `$GITHUB_OUTPUT`: matrix (one-line JSON), has-servers, count."""
        return (
            f"matrix={self.to_json()}\n"
            f"has-servers={'true' if self.entries else 'false'}\n"
            f"count={len(self.entries)}\n"
        )


def build_matrix(workspace: Workspace, changed_since: str | None = None) -> Matrix:
    """Every server, or with `changed_since` only those a change since that git ref can affect."""
    servers = workspace.servers()
    if changed_since is not None:
        servers = changes_since(workspace, changed_since).select(servers)
    return Matrix(tuple(entries(workspace, servers)), changed_since)


def entries(workspace: Workspace, servers: Iterable[Server]) -> list[Entry]:
    """One matrix entry per server, in the order given."""
    return [
        Entry(server.name, workspace.relative(server.path), server_python(workspace, server))
        for server in servers
    ]


def server_python(workspace: Workspace, server: Server) -> str:
    """The `X.Y` Python a server runs on (see the module docstring for the order of sources)."""
    facts = ServerFiles(server, workspace)
    environment = (facts.config or {}).get("environment")
    if isinstance(environment, dict) and environment.get("python") is not None:
        where = f"{workspace.relative(server.path)}/fastmcp.json environment.python"
        return lowest_python(environment["python"], where)
    for where, project in (
        (f"{workspace.relative(server.path)}/pyproject.toml", facts.project),
        ("pyproject.toml", _root_project(workspace)),
    ):
        requires = project.get("requires-python")
        if requires is not None:
            return lowest_python(requires, f"{where} requires-python")
    return f"{sys.version_info.major}.{sys.version_info.minor}"


def lowest_python(value: Any, where: str = "python") -> str:
    """`3.12` for a version (`3.12`, `3.12.1`) or the lowest `3.Y` a specifier set admits.

    Raises UsageError naming `where` when `value` is neither, or admits no Python 3 version.
    """
    text = value.strip() if isinstance(value, str) else None
    if not text:
        raise UsageError(f"{where}: expected a Python version or specifier, got {value!r}")
    try:
        version = Version(text)
    except InvalidVersion:
        pass
    else:
        return f"{version.major}.{version.minor}"
    try:
        specifiers = SpecifierSet(text)
    except InvalidSpecifier:
        raise UsageError(
            f"{where}: {text!r} is neither a Python version nor a version specifier"
        ) from None
    for minor in _MINORS:
        if any(specifiers.contains(f"3.{minor}.{patch}") for patch in _PATCHES):
            return f"3.{minor}"
    raise UsageError(f"{where}: {text!r} admits no Python 3 version")


def _root_project(workspace: Workspace) -> dict[str, Any]:
    project = workspace.data.get("project")
    return project if isinstance(project, dict) else {}

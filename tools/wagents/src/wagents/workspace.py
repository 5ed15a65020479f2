"""Find the workspace root, list its servers and answer questions about the root pyproject."""

from __future__ import annotations

from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from functools import cached_property
from pathlib import Path, PurePosixPath
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from wagents.lockcheck import LockStatus, check_lock
from wagents.model import Server, UsageError
from wagents.parse import Loaded, load_toml

#: Where servers live, relative to the workspace root.
SERVERS_DIR = "mcp"
#: The root dependency group that installs every server into the root environment.
SERVERS_GROUP = "servers"
#: wagents' own state (cache, locks, scratch space), git-ignored.
STATE_DIR = ".wagents"


@dataclass(frozen=True)
class Workspace:
    """A uv workspace holding MCP servers under `mcp/`."""

    root: Path
    pyproject: Loaded[dict[str, Any]] = field(repr=False)

    @classmethod
    def find(cls, start: Path | None = None) -> Workspace:
        """The workspace containing `start` (default: the current directory).

        The root is the nearest ancestor whose pyproject.toml has `[tool.uv.workspace]`.
        """
        here = (start or Path.cwd()).resolve()
        broken: Loaded[dict[str, Any]] | None = None
        for directory in (here, *here.parents):
            candidate = directory / "pyproject.toml"
            if not candidate.is_file():
                continue
            loaded = load_toml(candidate)
            if not loaded.ok:
                broken = loaded
                continue
            assert loaded.value is not None
            if "workspace" in loaded.value.get("tool", {}).get("uv", {}):
                return cls(directory, loaded)
        if broken is not None and broken.error is not None:
            where = f":{broken.error.line}" if broken.error.line else ""
            raise UsageError(f"{broken.path}{where} {broken.error.message}")
        raise UsageError(
            f"no uv workspace found at {here} or above "
            "(a pyproject.toml with [tool.uv.workspace] marks the root)"
        )

    @property
    def data(self) -> dict[str, Any]:
        return self.pyproject.value or {}

    @property
    def servers_dir(self) -> Path:
        return self.root / SERVERS_DIR

    @property
    def state_dir(self) -> Path:
        return self.root / STATE_DIR

    @property
    def repository_prefix(self) -> str:
        """The root's path inside its git repository, as "sub/dir/" ("" at the top or outside).

        CI annotations and SARIF locations are relative to the repository, findings to the root.
        """
        for directory in (self.root, *self.root.parents):
            if (directory / ".git").exists():
                relative = self.root.relative_to(directory).as_posix()
                return "" if relative == "." else f"{relative}/"
        return ""

    @property
    def uv_workspace(self) -> dict[str, Any]:
        table = self.data.get("tool", {}).get("uv", {}).get("workspace", {})
        return table if isinstance(table, dict) else {}

    @property
    def member_globs(self) -> list[str]:
        return _string_list(self.uv_workspace.get("members"))

    @property
    def exclude_globs(self) -> list[str]:
        return _string_list(self.uv_workspace.get("exclude"))

    @cached_property
    def lock_status(self) -> LockStatus:
        """Whether uv.lock is present and up to date: asked of uv once per Workspace object."""
        return check_lock(self.root)

    def servers(self) -> list[Server]:
        """Every server directory under `mcp/`, sorted by name (hidden directories skipped)."""
        if not self.servers_dir.is_dir():
            return []
        return sorted(
            Server(entry.name, entry)
            for entry in self.servers_dir.iterdir()
            if entry.is_dir() and not entry.name.startswith((".", "_"))
        )

    def select(self, names: list[str]) -> list[Server]:
        """The named servers (all when `names` is empty); an unknown name is a usage error."""
        servers = self.servers()
        if not names:
            return servers
        by_name = {server.name: server for server in servers}
        unknown = [name for name in names if name not in by_name]
        if unknown:
            known = ", ".join(by_name) or "none"
            raise UsageError(
                f"no server named {', '.join(unknown)} under {SERVERS_DIR}/ (servers: {known})"
            )
        return [by_name[name] for name in dict.fromkeys(names)]

    def relative(self, path: Path) -> str:
        """`path` relative to the root, with POSIX separators (the form findings carry)."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()

    def is_member(self, directory: Path) -> bool:
        """Whether the root's `members` globs cover `directory` and no `exclude` glob removes it."""
        relative = PurePosixPath(self.relative(directory))
        return _matches_any(relative, self.member_globs) and not _matches_any(
            relative, self.exclude_globs
        )

    def installed_names(self) -> frozenset[str]:
        """Normalized names the root environment installs: root dependencies and default groups."""
        return self._installed_names

    @cached_property
    def _installed_names(self) -> frozenset[str]:  # asked once per server: parse once
        project = self.data.get("project", {})
        requirements = _string_list(
            project.get("dependencies") if isinstance(project, dict) else None
        )
        groups = self.data.get("dependency-groups", {})
        groups = groups if isinstance(groups, dict) else {}
        default_groups = self.data.get("tool", {}).get("uv", {}).get("default-groups", ["dev"])
        if default_groups == "all":
            default_groups = list(groups)
        for group in _string_list(default_groups):
            requirements += _string_list(groups.get(group))
        names = set()
        for text in requirements:
            try:
                names.add(canonicalize_name(Requirement(text).name))
            except InvalidRequirement:
                continue
        return frozenset(names)

    def workspace_sources(self) -> set[str]:
        """Normalized names that `[tool.uv.sources]` resolves from the workspace."""
        sources = self.data.get("tool", {}).get("uv", {}).get("sources", {})
        if not isinstance(sources, dict):
            return set()
        return {
            canonicalize_name(name)
            for name, source in sources.items()
            if isinstance(source, dict) and source.get("workspace") is True
        }


def _string_list(value: object) -> list[str]:
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, str)]


def _matches_any(path: PurePosixPath, globs: list[str]) -> bool:
    return any(_glob_matches(path, pattern) for pattern in globs)


def _glob_matches(path: PurePosixPath, pattern: str) -> bool:
    """Match a uv workspace glob (`mcp/*`, `tools/wagents`, `./mcp/x`) against a relative path."""
    parts = PurePosixPath(pattern.strip().removeprefix("./").rstrip("/")).parts
    return _match_parts(path.parts, parts)


def _match_parts(names: tuple[str, ...], patterns: tuple[str, ...]) -> bool:
    if not patterns:
        return not names
    head, rest = patterns[0], patterns[1:]
    if head == "**":
        return any(_match_parts(names[skip:], rest) for skip in range(len(names) + 1))
    return bool(names) and fnmatchcase(names[0], head) and _match_parts(names[1:], rest)

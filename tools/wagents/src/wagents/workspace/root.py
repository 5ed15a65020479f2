"""Find the workspace root, list its servers and answer questions about the root pyproject."""

from __future__ import annotations

from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from functools import cached_property
from pathlib import Path, PurePosixPath
from typing import Any

from wagents.files.load import Loaded, load_toml
from wagents.model import Server, UsageError

#: Where servers live, relative to the workspace root.
SERVERS_DIR = "mcp"
#: The root dependency group that installs every server into the root environment.
SERVERS_GROUP = "servers"
#: wagents' own state (cache, locks, scratch space), git-ignored.
STATE_DIR = ".wagents"
#: A server directory holding this file is still being created by `wagents new` (or that run
#: was killed): commands skip it, and the next `wagents new` finishes or removes it.
INCOMPLETE_MARKER = ".wagents-incomplete"


@dataclass(frozen=True)
class Workspace:
    """A uv workspace holding MCP servers under `mcp/`."""

    root: Path
    pyproject: Loaded[dict[str, Any]] = field(repr=False)

    @cached_property
    def resolved_root(self) -> Path:
        """`root` with symlinks resolved (a root given by hand may not be), asked once."""
        return self.root.resolve()

    @classmethod
    def find(cls, start: Path | None = None) -> Workspace:
        """The workspace containing `start` (default: the current directory).

        The root is the nearest ancestor whose pyproject.toml has `[tool.uv.workspace]`.
        """
        try:
            here = (start or Path.cwd()).resolve()
        except OSError as exc:  # the current directory was deleted
            raise UsageError(f"cannot use the current directory: {exc.strerror or exc}") from None
        broken: Loaded[dict[str, Any]] | None = None
        for directory in (here, *here.parents):
            candidate = directory / "pyproject.toml"
            try:
                if not candidate.is_file():
                    continue
            except OSError:  # an unreadable directory on the way up
                continue
            loaded = load_toml(candidate)
            if not loaded.ok:
                broken = loaded
                continue
            assert loaded.value is not None
            if "workspace" in table_at(loaded.value, "tool", "uv"):
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
    def tool_wagents(self) -> dict[str, Any]:
        """`[tool.wagents]` of the root pyproject: the workspace's defaults ({} when absent)."""
        return table_at(self.data, "tool", "wagents")

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
        return table_at(self.data, "tool", "uv", "workspace")

    @property
    def member_globs(self) -> list[str]:
        return _string_list(self.uv_workspace.get("members"))

    @property
    def exclude_globs(self) -> list[str]:
        return _string_list(self.uv_workspace.get("exclude"))

    def servers(self) -> list[Server]:
        """Every server directory under `mcp/`, sorted by name (hidden directories skipped)."""
        try:
            entries = list(self.servers_dir.iterdir()) if self.servers_dir.is_dir() else []
        except OSError as exc:
            raise UsageError(
                f"cannot list {SERVERS_DIR}/: {exc.strerror or exc}; fix its permissions"
            ) from None
        return sorted(
            Server(entry.name, entry)
            for entry in entries
            if not entry.name.startswith((".", "_")) and entry.is_dir() and not is_incomplete(entry)
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

    @cached_property
    def installed_names(self) -> frozenset[str]:  # asked once per server: parse once
        """Normalized names the root environment installs: root dependencies and default groups."""
        from wagents.workspace import requirements as requirements_module

        project = self.data.get("project", {})
        requirements = _string_list(
            project.get("dependencies") if isinstance(project, dict) else None
        )
        groups = self.data.get("dependency-groups", {})
        groups = groups if isinstance(groups, dict) else {}
        default_groups = table_at(self.data, "tool", "uv").get("default-groups", ["dev"])
        if default_groups == "all":
            default_groups = list(groups)
        for group in _string_list(default_groups):
            requirements += _string_list(groups.get(group))
        return frozenset(requirements_module.parse(requirements).names)

    def workspace_sources(self) -> set[str]:
        """Normalized names that `[tool.uv.sources]` resolves from the workspace."""
        from wagents.workspace import requirements as requirements_module

        sources = table_at(self.data, "tool", "uv").get("sources", {})
        if not isinstance(sources, dict):
            return set()
        return {
            requirements_module.normalize(name)
            for name, source in sources.items()
            if isinstance(source, dict) and source.get("workspace") is True
        }

    @cached_property  # every server's workspace-member rule asks: parse the root once
    def shape_problems(self) -> tuple[tuple[str, str], ...]:
        """What in the root pyproject uv would refuse or misread, as (message, TOML key) pairs.

        Covers `[tool.uv.workspace]` `members`/`exclude` (lists of relative path globs inside
        the workspace), `[dependency-groups]` (lists), `default-groups` and `[tool.uv.sources]`.
        """
        from wagents.workspace import requirements as requirements_module

        problems: list[tuple[str, str]] = []
        for key in ("members", "exclude"):
            value = self.uv_workspace.get(key)
            if value is None:
                continue
            if not isinstance(value, list):
                problems.append(
                    (f"[tool.uv.workspace].{key} must be a list of path globs, not {value!r}", key)
                )
                continue
            problems += [
                (f"[tool.uv.workspace].{key}: {why}", key) for why in _glob_problems(value)
            ]
        project = self.data.get("project")
        dependencies = project.get("dependencies") if isinstance(project, dict) else None
        if dependencies is not None and not isinstance(dependencies, list):
            problems.append(
                (f"[project].dependencies must be a list, not {dependencies!r}", "dependencies")
            )
        elif dependencies is not None:
            problems += [
                (f"[project].dependencies: {why}", "dependencies")
                for _, why in requirements_module.parse(dependencies).problems
            ]
        groups = self.data.get("dependency-groups")
        if groups is not None and not isinstance(groups, dict):
            problems.append(("[dependency-groups] must be a table", "dependency-groups"))
        for name, group in (groups if isinstance(groups, dict) else {}).items():
            if not isinstance(group, list):
                problems.append((f"[dependency-groups].{name} must be a list, not {group!r}", name))
                continue
            problems += [
                (f"[dependency-groups].{name}: {why}", name)
                for _, why in requirements_module.parse(group, include_groups=True).problems
            ]
        uv = table_at(self.data, "tool", "uv")
        defaults = uv.get("default-groups")
        if defaults is not None and defaults != "all" and not isinstance(defaults, list):
            problems.append(
                (
                    f'[tool.uv].default-groups must be a list or "all", not {defaults!r}',
                    "default-groups",
                )
            )
        sources = uv.get("sources")
        if sources is not None and not isinstance(sources, dict):
            problems.append(("[tool.uv.sources] must be a table", "sources"))
        return tuple(problems)


def is_incomplete(directory: Path) -> bool:
    """`directory` certainly holds the marker of an unfinished `wagents new` (unreadable: no)."""
    try:
        (directory / INCOMPLETE_MARKER).lstat()
    except OSError:
        return False
    return True


def table_at(data: object, *keys: str) -> dict[str, Any]:
    """`data[k1][k2]...` when every step is a table, else {} (hand-edited files lie about shape)."""
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data if isinstance(data, dict) else {}


def _glob_problems(items: list[object]) -> list[str]:
    problems = []
    for item in items:
        if not isinstance(item, str):
            problems.append(f"{item!r} is not a string")
        elif not item.strip():
            problems.append("an empty entry")
        elif PurePosixPath(item).is_absolute():
            problems.append(f"{item!r} is absolute; use a path relative to the root")
        elif ".." in PurePosixPath(item).parts:
            problems.append(f"{item!r} leaves the workspace")
    return problems


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

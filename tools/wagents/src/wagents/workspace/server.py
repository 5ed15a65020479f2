"""A server's files as data: its pyproject, fastmcp.json, module, code, tests and config files.

`ServerFiles` is what every command knows of a server without running it: rules read it through
`wagents.check.facts`, and `serve`, `docker`, `config`, `matrix` and the developer commands read it
directly.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from wagents.files.load import (
    MAX_CONFIG_BYTES,
    Loaded,
    ParseError,
    load_json,
    load_python,
    load_toml,
    present,
    read_text,
)
from wagents.model import Server
from wagents.workspace.listing import (
    SURFACE_FILE,
    FileRoles,
    list_server_files,
    local_module_names,
)
from wagents.workspace.pytestconfig import PytestConfig, effective_config
from wagents.workspace.root import Workspace

if TYPE_CHECKING:
    from wagents.workspace.settings import Settings

FASTMCP_JSON = "fastmcp.json"
#: The value a probe sees for a variable fastmcp.json's deployment.env refers to.
PROBE_PLACEHOLDER = "wagents-probe-placeholder"
#: `${NAME}` in a value.
REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
PYPROJECT = "pyproject.toml"
DEFAULT_SOURCE = "server.py"
#: The largest surface snapshot read (a server with hundreds of tools stays far below it).
MAX_SURFACE_BYTES = 16 * 1024 * 1024

T = TypeVar("T")


@dataclass(frozen=True)
class ServerFiles:
    """What a server's files say, read lazily and each parsed once.

    Nothing here runs the server. Unreadable, oversized or broken files are `Loaded` values with
    an error (see `wagents.files.load`), never exceptions.
    """

    server: Server
    workspace: Workspace
    #: Python files parsed on demand through `python_file` (a memo; the facts never change).
    _python_files: dict[Path, Loaded[ast.Module]] = field(
        default_factory=dict, repr=False, compare=False
    )

    @property
    def path(self) -> Path:
        return self.server.path

    def relative(self, path: Path) -> str:
        return self.workspace.relative(path)

    def has(self, name: str) -> bool:
        """Whether the server directory has an entry `name` (a dangling symlink counts)."""
        return present(self.path / name)

    def _load(self, path: Path, loader: Callable[[Path], Loaded[T]]) -> Loaded[T] | None:
        """`loader(path)`, None when the file is absent, an error when it lies outside the root."""
        if not present(path):
            return None
        outside = self._outside_workspace(path)
        if outside is not None:
            return Loaded(path, error=ParseError(outside))
        return loader(path)

    def _outside_workspace(self, path: Path) -> str | None:
        """Why `path` cannot be used when it resolves outside the workspace (a symlink out)."""
        try:
            target = path.resolve()
            target.relative_to(self.workspace.resolved_root)
        except ValueError:
            return (
                f"is a symlink to {target}, outside the workspace: git and deployments do not "
                "carry that file; copy it into the server instead"
            )
        except (OSError, RuntimeError):  # a loop: the loader reports it
            return None
        return None

    @cached_property
    def pyproject(self) -> Loaded[dict[str, Any]] | None:
        """The server's pyproject.toml, or None when there is none."""
        return self._load(self.path / PYPROJECT, load_toml)

    @cached_property
    def fastmcp_json(self) -> Loaded[Any] | None:
        """The server's fastmcp.json, or None when there is none."""
        return self._load(self.path / FASTMCP_JSON, load_json)

    @cached_property
    def surface_snapshot(self) -> Loaded[Any] | None:
        """The committed snapshot of the server's MCP surface (`mcp-surface.json`, written by
        `wagents surface --write`), or None when there is none."""
        return self._load(
            self.path / SURFACE_FILE, lambda path: load_json(path, limit=MAX_SURFACE_BYTES)
        )

    @cached_property
    def config(self) -> dict[str, Any] | None:
        """fastmcp.json as a dict when it parsed to a JSON object (not necessarily valid)."""
        loaded = self.fastmcp_json
        if loaded is None or not loaded.ok or not isinstance(loaded.value, dict):
            return None
        return loaded.value

    @cached_property
    def deployment(self) -> dict[str, Any]:
        """fastmcp.json `deployment` ({} when missing or not a JSON object)."""
        value = (self.config or {}).get("deployment")
        return value if isinstance(value, dict) else {}

    @cached_property
    def deployment_env(self) -> dict[str, Any]:
        """fastmcp.json `deployment.env` ({} when missing or not a JSON object)."""
        env = self.deployment.get("env")
        return env if isinstance(env, dict) else {}

    @cached_property
    def source_name(self) -> str:
        """`source.path` of fastmcp.json without any `:object` suffix (default server.py)."""
        source = (self.config or {}).get("source")
        path = source.get("path") if isinstance(source, dict) else None
        if not isinstance(path, str) or not path:
            return DEFAULT_SOURCE
        file_part, _, _ = path.rpartition(":") if ":" in path[2:] else (path, "", "")
        return file_part

    @cached_property
    def entrypoint(self) -> str | None:
        """`source.entrypoint` (or the `file.py:object` suffix); None means fastmcp's defaults."""
        source = (self.config or {}).get("source")
        if not isinstance(source, dict):
            return None
        entrypoint = source.get("entrypoint")
        if isinstance(entrypoint, str) and entrypoint:
            return entrypoint
        path = source.get("path")
        if isinstance(path, str) and ":" in path[2:]:
            return path.rpartition(":")[2] or None
        return None

    @cached_property
    def source_path(self) -> Path:
        return self.path / self.source_name

    @cached_property
    def source_inside_server(self) -> bool:
        """`source.path` resolves inside the server directory (no `..` or absolute escapes)."""
        try:
            self.source_path.resolve().relative_to(self.path.resolve())
        except (ValueError, OSError, RuntimeError):
            return False
        return True

    @cached_property
    def source(self) -> Loaded[ast.Module] | None:
        """The parsed server module, or None when it is missing or outside the server."""
        if not self.source_inside_server:
            return None
        return self._load(self.source_path, load_python)

    @cached_property
    def project(self) -> dict[str, Any]:
        """`[project]` of the server's pyproject ({} when missing or broken)."""
        loaded = self.pyproject
        value = loaded.value if loaded is not None and loaded.ok else None
        project = (value or {}).get("project")
        return project if isinstance(project, dict) else {}

    def python_file(self, path: Path) -> Loaded[ast.Module] | None:
        """A parsed Python file of this server (None when it is outside the server directory).

        Runtime facts name the files components are defined in; rules read them through here
        (each file is parsed once, and never one outside the server).
        """
        try:
            resolved = path.resolve()
            resolved.relative_to(self.path.resolve())
        except (ValueError, OSError, RuntimeError):
            return None
        if resolved == self.source_path.resolve():
            return self.source
        if resolved not in self._python_files:
            self._python_files[resolved] = load_python(resolved)
        return self._python_files[resolved]

    @cached_property
    def tool_wagents(self) -> dict[str, Any]:
        """`[tool.wagents]` of the server's pyproject ({} when missing or not a table)."""
        loaded = self.pyproject
        value = loaded.value if loaded is not None and loaded.ok else None
        tool = (value or {}).get("tool")
        table = tool.get("wagents") if isinstance(tool, dict) else None
        return table if isinstance(table, dict) else {}

    @cached_property
    def settings(self) -> Settings:
        """`[tool.wagents]` read against its schema (see wagents.workspace.settings)."""
        from wagents.workspace.settings import read_settings  # pydantic: only when asked

        return read_settings(self.tool_wagents)

    @cached_property
    def probe_env(self) -> tuple[tuple[str, str], ...]:
        """What the probe gives the server besides its scrubbed environment: a placeholder for
        every `${NAME}` that fastmcp.json `deployment.env` passes (FastMCP's own `FASTMCP_*`
        settings excepted: FastMCP validates those), then `[tool.wagents] probe-env`."""
        env: dict[str, str] = {}
        for value in self.deployment_env.values():
            for name in REFERENCE.findall(value) if isinstance(value, str) else ():
                if not name.startswith("FASTMCP_"):
                    env[name] = PROBE_PLACEHOLDER
        env.update(self.settings.values.probe_env)
        return tuple(sorted(env.items()))

    @cached_property
    def dockerfile(self) -> Path | None:
        """The server's Dockerfile (or Containerfile), when it has one that could be read."""
        for path in self.roles.deploy:
            if path.name in ("Dockerfile", "Containerfile") and path in self.texts:
                return path
        return None

    @cached_property
    def roles(self) -> FileRoles:
        """The server's files by role: code, tests, configuration, deployment scripts."""
        return list_server_files(self.path)

    @cached_property
    def local_modules(self) -> frozenset[str]:
        """Top-level names importable from the server directory (`x.py`, packages `x/`)."""
        return frozenset(local_module_names(self.path))

    @cached_property
    def code_modules(self) -> dict[Path, Loaded[ast.Module]]:
        """Every Python module of the server but its tests, parsed (server.py among them)."""
        return {path: self._code_module(path) for path in self.roles.code}

    def _code_module(self, path: Path) -> Loaded[ast.Module]:
        """`load_python(path)`, or `source` when that loaded the same file (parsed once)."""
        if path == self.source_path and self._outside_workspace(path) is None:
            source = self.source
            if source is not None:
                return source
        return load_python(path)

    @cached_property
    def test_modules(self) -> dict[Path, Loaded[ast.Module]]:
        """The server's test modules (tests/, test_*.py, conftest.py), parsed."""
        return {path: load_python(path) for path in self.roles.tests}

    @cached_property
    def texts(self) -> dict[Path, str]:
        """The text of the server's configuration and deployment files that could be read."""
        texts = {}
        for path in [*self.roles.config, *self.roles.deploy]:
            text, _error = read_text(path, MAX_CONFIG_BYTES)
            if text is not None:
                texts[path] = text
        return texts

    @cached_property
    def pytest_config(self) -> PytestConfig:
        """The pytest configuration the server's tests run with (`wagents test` runs them here)."""
        return effective_config(self.path)

    @cached_property
    def scannable_texts(self) -> dict[Path, str]:
        """The texts a secret scan reads: code modules and config files (the scan leaves out
        those git ignores: a git-ignored `.env` is where local secrets belong)."""
        texts = {
            path: module.text
            for path, module in self.code_modules.items()
            if module.text is not None
        }
        texts.update((path, self.texts[path]) for path in self.roles.config if path in self.texts)
        return texts

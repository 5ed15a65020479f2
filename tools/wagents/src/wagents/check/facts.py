"""What rules are given: the static facts of a server (its files, parsed) and its runtime facts."""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from wagents.analysis.secrets import SecretHit, scan_files
from wagents.check.suppressions import Ignore, IgnoreProblem, read_ignores
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
from wagents.workspace.listing import ServerFiles, git_ignored, list_server_files
from wagents.workspace.pytestconfig import PytestConfig, effective_config
from wagents.workspace.root import Workspace

if TYPE_CHECKING:
    from wagents.probe.live import LiveFacts

FASTMCP_JSON = "fastmcp.json"
PYPROJECT = "pyproject.toml"
DEFAULT_SOURCE = "server.py"

T = TypeVar("T")


@dataclass(frozen=True)
class RuntimeFacts:
    """What the isolated import of a server showed (see probe.py and runner.py).

    `status` is one of: ok, exception, exit, no-server, not-fastmcp (from the probe), or
    timeout, crashed, no-result (seen from outside when the probe could not report).
    """

    status: str
    message: str | None = None
    line: int | None = None
    exit_code: int | str | None = None
    stdout_bytes: int = 0
    stdout_sample: str = ""
    #: `{"file", "line"}` of the first server line that wrote to sys.stdout while importing.
    stdout_origin: dict[str, Any] | None = None
    stderr_tail: str = ""
    entrypoint: str | None = None
    server: dict[str, Any] | None = None
    http_app: dict[str, Any] | None = None
    seconds: float = 0.0
    #: The import read stdin (under stdio it carries the client's messages).
    stdin_read: bool = False
    #: The import closed stdout (where the stdio transport writes).
    stdout_closed: bool = False
    #: Processes the import started and left running (the probe killed them).
    orphans: int = 0
    #: Where the import left the working directory, when it changed it.
    cwd_after_import: str | None = None

    @property
    def imported(self) -> bool:
        """The module imported and the entrypoint is a FastMCP server."""
        return self.status == "ok" and self.server is not None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RuntimeFacts:
        return cls(**data)


@dataclass(frozen=True)
class IsolatedFacts:
    """The server installed alone from its own pyproject into a fresh environment (`uv sync
    --package NAME` into a temporary venv) and imported there by the probe.

    `install_error` says why the install failed (then there is no `runtime`).
    """

    command: str
    install_error: str | None = None
    runtime: RuntimeFacts | None = None


@dataclass
class ServerFacts:
    """Everything rules may look at for one server. Files are read lazily, once."""

    server: Server
    workspace: Workspace
    runtime: RuntimeFacts | None = None
    isolated: IsolatedFacts | None = None  # only with `wagents validate --isolated`
    live: LiveFacts | None = None  # only with `wagents validate --live` (see check/live.py)
    #: `[tool.wagents] ignore` entries that matched no finding (set by validation.py).
    unused_ignores: list[Ignore] = field(default_factory=list)
    _python_files: dict[Path, Loaded[ast.Module]] = field(default_factory=dict, repr=False)

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
            target.relative_to(self.workspace.root.resolve())
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
    def ignores(self) -> tuple[list[Ignore], list[IgnoreProblem]]:
        """`[tool.wagents] ignore` of the server's pyproject, read once: the valid entries and the
        problems of the others (none when the pyproject is missing or broken)."""
        from wagents.check.rules import all_rules  # the rules import this module

        loaded = self.pyproject
        if loaded is None or not loaded.ok:
            return [], []
        return read_ignores(loaded.value, loaded.text or "", all_rules())

    @cached_property
    def files(self) -> ServerFiles:
        """The server's files by role: code, tests, configuration, deployment scripts."""
        return list_server_files(self.path)

    @cached_property
    def code_modules(self) -> dict[Path, Loaded[ast.Module]]:
        """Every Python module of the server but its tests, parsed (server.py among them)."""
        return {path: self._code_module(path) for path in self.files.code}

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
        return {path: load_python(path) for path in self.files.tests}

    @cached_property
    def texts(self) -> dict[Path, str]:
        """The text of the server's configuration and deployment files that could be read."""
        texts = {}
        for path in [*self.files.config, *self.files.deploy]:
            text, _error = read_text(path, MAX_CONFIG_BYTES)
            if text is not None:
                texts[path] = text
        return texts

    @cached_property
    def secrets(self) -> list[SecretHit]:
        """Credential-looking lines in the server's code and config files git does not ignore."""
        texts = {
            path: module.text
            for path, module in self.code_modules.items()
            if module.text is not None
        }
        texts.update((path, self.texts[path]) for path in self.files.config if path in self.texts)
        ignored = git_ignored(self.path, list(texts))
        return scan_files({path: text for path, text in texts.items() if path not in ignored})

    @cached_property
    def pytest_config(self) -> PytestConfig:
        """The pytest configuration the server's tests run with (`wagents test` runs them here)."""
        return effective_config(self.path)

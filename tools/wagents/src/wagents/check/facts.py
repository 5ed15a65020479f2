"""What rules are given: a server's files (parsed), what its probe showed, and the environment.

Facts are frozen: the engine builds a `ServerFacts` for the static rules while the probe runs, and
another one, holding the probe's `RuntimeFacts`, for the runtime rules; both share the same
`ServerFiles`, so every file is read and parsed once. Whatever a rule needs from outside the
server's files (installed distributions, FastMCP's own models, uv's verdict on the lock) comes from
the `EnvironmentFacts` of the run, computed at most once. Rules never read files, import fastmcp,
query importlib.metadata or list directories themselves.
"""

from __future__ import annotations

import ast
import dataclasses
import difflib
import hashlib
import importlib.util
import inspect
import json
import os
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from concurrent.futures import Future
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol

from wagents.analysis.effects import Module
from wagents.analysis.knowledge import knowledge
from wagents.analysis.profiles import DEFAULT_CLIENTS
from wagents.analysis.secrets import (
    Prefilter,
    SecretHit,
    detector_triggers,
    file_type,
    scan_files,
)
from wagents.analysis.serving import Serving, assess
from wagents.analysis.taint import ModuleReport, analyze
from wagents.check.suppressions import Ignore, IgnoreProblem, read_ignores
from wagents.model import Server
from wagents.probe.fastmcp_models import (
    Answers,
    ConfigError,
    config_errors,
    config_keys,
    config_text,
)
from wagents.probe.protocol import Location, RuntimeFacts, ServerInfo
from wagents.workspace import distributions
from wagents.workspace.listing import Ignored, git_ignored
from wagents.workspace.requirements import Requirement
from wagents.workspace.root import SERVERS_DIR, Workspace
from wagents.workspace.server import PYPROJECT, ServerFiles
from wagents.workspace.settings import RootSettings, read_workspace_settings
from wagents.workspace.uv import LockStatus, check_lock, uv_executable


@dataclass(frozen=True)
class FastMCPConstructor:
    """`FastMCP.__init__` of the installed fastmcp: positional slots, keyword names, and FastMCP's
    own table of removed v2 arguments with what replaces each."""

    positional: int
    keywords: frozenset[str]
    removed: dict[str, str]


class Memory(Protocol):
    """Where facts of the environment outlive the run (the validation cache)."""

    #: A hash of all the cache keys of this run share: the shared files, every server's
    #: pyproject.toml, wagents, Python, fastmcp, the options.
    context: str

    def remember(
        self, name: str, compute: Callable[[], Any], keep: Callable[[Any], bool] | None = None
    ) -> Any: ...


@dataclass(frozen=True)
class EnvironmentFacts:
    """What the rules of every server share in one run, each computed at most once.

    `rule_slugs` are the rules that exist (for the ignore entries of `[tool.wagents]`). With a
    `memory` (the validation cache), the costly answers are also kept for later runs: what
    FastMCP's config model says (else an import of fastmcp, about half a second of CPU), which
    distribution provides which module and what requirements pull in (a walk of every installed
    distribution's metadata), what lets the secret scan leave detect-secrets out (an import of
    it), and uv's verdict on the lock (a subprocess). Each is named by what it depends on beyond
    wagents, Python and fastmcp, which key the memory itself. With `fastmcp_answers`, FastMCP's
    models are asked through the zygote instead of in this process.
    """

    workspace: Workspace
    rule_slugs: frozenset[str] = frozenset()
    memory: Memory | None = None
    #: What the zygote will answer of the run's fastmcp.json texts, when the probes run forked
    #: from one (it has imported fastmcp already; see probe/fastmcp_models.py).
    fastmcp_answers: Future[Answers] | None = None

    @cached_property
    def root_settings(self) -> RootSettings:
        """The workspace's defaults: the root pyproject's `[tool.wagents]` (`clients`, ...)."""
        return read_workspace_settings(self.workspace.tool_wagents)

    @cached_property
    def git_ignored(self) -> Ignored:
        """What git ignores in the servers' directories, asked once per run."""
        return git_ignored(self.workspace.root, SERVERS_DIR)

    @cached_property
    def lock(self) -> LockStatus:
        """Whether uv.lock is present and up to date (`uv lock --check`, once per run).

        With a memory, uv's answer is reused while the files the run's cache keys cover (uv.lock,
        every pyproject.toml), uv itself and the `UV_*` variables stay the same: the cached
        results of the lockfile rule depend on no more. An `unknown` answer is not kept.
        """
        root = self.workspace.root
        if self.memory is None:
            return check_lock(root)
        uv = uv_executable()
        try:
            status = Path(uv).stat() if uv else None
            identity = [uv, status.st_size, status.st_mtime_ns] if status else None
        except OSError:
            return check_lock(root)
        variables = sorted((k, v) for k, v in os.environ.items() if k.startswith("UV_"))
        name = f"uv-lock {self.memory.context} {json.dumps([identity, variables])}"
        remembered = self.memory.remember(
            name,
            lambda: dataclasses.astuple(check_lock(root)),
            keep=lambda value: value[0] != "unknown",
        )
        return LockStatus(*remembered)

    @cached_property
    def _installed(self) -> str:
        return distributions.installed_digest()

    @cached_property
    def _module_map(self) -> Mapping[str, frozenset[str]]:
        if self.memory is None:
            return distributions.module_map()
        remembered = self.memory.remember(
            f"module-map {self._installed}",
            lambda: {module: sorted(names) for module, names in distributions.module_map().items()},
        )
        return {module: frozenset(names) for module, names in remembered.items()}

    def providers(self, module: str) -> frozenset[str]:
        """Installed distributions that provide top-level `module` (with a memory: as the
        previous runs found them while nothing was installed or removed)."""
        return distributions.providers(module, self._module_map)

    def installed(self, name: str) -> bool:
        """Whether the distribution `name` (normalized) is installed here."""
        return distributions.installed(name)

    def pulled_in(self, requirements: Iterable[Requirement]) -> dict[str, str]:
        """Every installed distribution `requirements` bring in, mapped to the declared one
        (with a memory: as the previous runs found it while nothing was installed or removed)."""
        requirements = list(requirements)

        def compute() -> dict[str, str]:
            pulled = distributions.pulled_in(requirements)
            return {str(name): str(via) for name, via in pulled.items()}

        roots = [[r.name, sorted(r.extras)] for r in requirements]  # all pulled_in looks at
        return dict(self._remember(f"pulled-in {self._installed} {json.dumps(roots)}", compute))

    @cached_property
    def secret_prefilter(self) -> Prefilter:
        """What lets the secret scan leave detect-secrets out for texts it would find nothing in
        (with a memory: as the previous runs learnt it while nothing was installed or removed,
        so that a run checking servers without such texts does not import detect-secrets)."""
        if self.memory is None:
            return Prefilter(detector_triggers(), file_type)
        memory, installed = self.memory, self._installed

        def remembered_type(suffix: str) -> str:
            name = f"secret-file-type {installed} {json.dumps(suffix)}"
            return str(memory.remember(name, lambda: file_type(suffix)))

        triggers = memory.remember(f"secret-triggers {installed}", detector_triggers)
        return Prefilter(str(triggers), remembered_type)

    @cached_property
    def fastmcp_constructor(self) -> FastMCPConstructor:
        """FastMCP.__init__ of the installed fastmcp.

        Read from the installed source (fastmcp/server/server.py) without importing it: importing
        FastMCP costs a second or more. When the source does not have the expected shape, the
        signature comes from `inspect` after all.
        """
        try:
            return _signature_from_source()
        except (OSError, SyntaxError, ValueError, LookupError):
            return _signature_from_import()

    @cached_property
    def fastmcp_config_keys(self) -> dict[str, frozenset[str]]:
        """Keys `MCPServerConfig` understands, per section ("" is the top level)."""

        def compute() -> dict[str, list[str]]:
            answers = self._fastmcp_answers
            keys = answers.keys if answers is not None else config_keys()
            return {section: sorted(names) for section, names in keys.items()}

        known = self._remember("fastmcp-config-keys", compute)
        return {section: frozenset(keys) for section, keys in known.items()}

    def fastmcp_config_errors(self, config: dict[str, Any]) -> tuple[ConfigError, ...]:
        """What FastMCP's own `MCPServerConfig` says of a fastmcp.json object (empty: valid)."""
        text = config_text(config)

        def compute() -> list[tuple[Any, ...]]:
            answers = self._fastmcp_answers
            errors = answers.errors.get(text) if answers is not None else None
            if errors is None:
                errors = config_errors(config)
            return [dataclasses.astuple(error) for error in errors]

        name = f"fastmcp-config-errors {hashlib.sha256(text.encode()).hexdigest()}"
        return tuple(ConfigError(*error) for error in self._remember(name, compute))

    def _remember(self, name: str, compute: Callable[[], Any]) -> Any:
        """`compute()`; with a memory, what it gave under `name` in an earlier run, if it did."""
        return compute() if self.memory is None else self.memory.remember(name, compute)

    @cached_property
    def _fastmcp_answers(self) -> Answers | None:
        """What the zygote answered of the run's fastmcp.json texts; None without one, or when
        it could not answer (the validator then imports fastmcp itself)."""
        if self.fastmcp_answers is None:
            return None
        try:
            return self.fastmcp_answers.result()
        except Exception:
            return None


@dataclass(frozen=True)
class TargetClients:
    """The client profiles a server is checked against, and where that list was set: the
    server's `[tool.wagents] clients`, the root pyproject's, or wagents' default."""

    names: tuple[str, ...]
    #: "server", "workspace" or "default".
    origin: str
    #: The pyproject.toml that set them (None for the default).
    path: Path | None = None


def target_clients(files: ServerFiles, root: RootSettings) -> TargetClients:
    """The server's own `clients` when it sets a valid list, else the workspace's, else
    `DEFAULT_CLIENTS` (claude, cursor, vscode, openai)."""
    own = files.settings
    if "clients" in own.given and own.problem("clients") is None and own.values.clients is not None:
        return TargetClients(tuple(own.values.clients), "server", files.path / PYPROJECT)
    if root.values.clients is not None:
        return TargetClients(
            tuple(root.values.clients), "workspace", files.workspace.root / PYPROJECT
        )
    return TargetClients(DEFAULT_CLIENTS, "default")


def code_modules_by_name(files: ServerFiles) -> dict[str, Module]:
    """The server's parsed code modules by dotted name (`server`, `pkg.helpers`), as
    `wagents.analysis.effects` follows calls between them."""
    modules: dict[str, Module] = {}
    for path, loaded in files.code_modules.items():
        if loaded.value is None:
            continue
        try:
            parts = list(path.relative_to(files.path).with_suffix("").parts)
        except ValueError:
            continue
        package = parts[-1] == "__init__"
        if package:
            parts.pop()
        if parts:
            name = ".".join(parts)
            label = path.relative_to(files.path).as_posix()
            modules[name] = Module(name, label, loaded.value, package)
    return modules


def unknown_config_keys(
    config: dict[str, Any], known: dict[str, frozenset[str]]
) -> Iterator[tuple[list[str], str, str | None]]:
    """`(location, key, closest known key)` for each key of fastmcp.json FastMCP does not know."""
    sections: list[tuple[list[str], dict[str, Any]]] = [([], config)] + [
        ([section], config[section])
        for section in known
        if section and isinstance(config.get(section), dict)
    ]
    for location, table in sections:
        allowed = known[location[0] if location else ""]
        for key in table:
            if key not in allowed:
                close = difflib.get_close_matches(key, sorted(allowed), n=1)
                yield location, key, close[0] if close else None


def _signature_from_source() -> FastMCPConstructor:
    spec = importlib.util.find_spec("fastmcp")
    if spec is None or spec.origin is None:
        raise LookupError("fastmcp is not installed")
    path = Path(spec.origin).parent / "server" / "server.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    init = next(
        item
        for node in tree.body
        if isinstance(node, ast.ClassDef) and node.name == "FastMCP"
        for item in node.body
        if isinstance(item, ast.FunctionDef) and item.name == "__init__"
    )
    arguments = init.args
    positional = [a.arg for a in (*arguments.posonlyargs, *arguments.args)][1:]  # minus self
    keywords = frozenset(
        [a.arg for a in arguments.args][1:] + [a.arg for a in arguments.kwonlyargs]
    )
    removed: dict[str, str] = {}
    for node in tree.body:
        target = node.targets[0] if isinstance(node, ast.Assign) else getattr(node, "target", None)
        if isinstance(target, ast.Name) and target.id == "_REMOVED_KWARGS":
            value = getattr(node, "value", None)
            if value is not None:
                removed = ast.literal_eval(value)
    return FastMCPConstructor(len(positional), keywords, removed)


def _signature_from_import() -> FastMCPConstructor:
    from fastmcp import FastMCP

    parameters = list(inspect.signature(FastMCP.__init__).parameters.values())[1:]
    kinds = inspect.Parameter
    positional = sum(
        1 for p in parameters if p.kind in (kinds.POSITIONAL_ONLY, kinds.POSITIONAL_OR_KEYWORD)
    )
    keywords = frozenset(
        p.name for p in parameters if p.kind in (kinds.POSITIONAL_OR_KEYWORD, kinds.KEYWORD_ONLY)
    )
    try:  # FastMCP's own table of v2 arguments and what replaces them
        from fastmcp.server.server import _REMOVED_KWARGS as removed
    except ImportError:
        removed = {}
    return FastMCPConstructor(positional, keywords, dict(removed))


@dataclass(frozen=True)
class ServerFacts:
    """Everything a rule may look at for one server: its files, its probe's facts, the run's
    environment."""

    files: ServerFiles
    environment: EnvironmentFacts
    #: What the probe's process showed; None for static rules (and servers not probed).
    runtime: RuntimeFacts | None = None

    @property
    def server(self) -> Server:
        return self.files.server

    @property
    def workspace(self) -> Workspace:
        return self.files.workspace

    @property
    def path(self) -> Path:
        return self.files.path

    def relative(self, path: Path) -> str:
        return self.files.relative(path)

    def location(self, where: Location | None) -> tuple[Path, int | None]:
        """Where a component (or route, or stdout write) was defined: its file when that is part
        of the server, else the server module without a line."""
        if where is not None and where.file and self._in_server(where.file):
            return Path(where.file), where.line
        return self.files.source_path, None

    def _in_server(self, file: str) -> bool:
        inside = self._inside.get(file)
        if inside is None:
            try:
                Path(file).resolve().relative_to(self._resolved_path)
                inside = True
            except (ValueError, OSError):
                inside = False
            self._inside[file] = inside
        return inside

    @cached_property
    def _resolved_path(self) -> Path:
        return self.path.resolve()

    @cached_property
    def _inside(self) -> dict[str, bool]:
        """Files asked about by `location`, and whether each lies in the server (resolved)."""
        return {}

    def with_runtime(self, runtime: RuntimeFacts | None) -> ServerFacts:
        """The same facts with the probe's result (the files stay parsed)."""
        return dataclasses.replace(self, runtime=runtime)

    @property
    def server_info(self) -> ServerInfo | None:
        """The probe's description of the server object, when the import worked."""
        runtime = self.runtime
        if runtime is None or not runtime.imported:
            return None
        return runtime.server

    @cached_property
    def ignores(self) -> tuple[list[Ignore], list[IgnoreProblem]]:
        """`[tool.wagents] ignore` of the server's pyproject: the valid entries and the problems
        of the others (none when the pyproject is missing or broken)."""
        loaded = self.files.pyproject
        if loaded is None or not loaded.ok:
            return [], []
        return read_ignores(loaded.value, loaded.text or "", self.environment.rule_slugs)

    @cached_property
    def clients(self) -> TargetClients:
        """The client profiles this server is checked against (see `target_clients`)."""
        return target_clients(self.files, self.environment.root_settings)

    @cached_property
    def modules(self) -> dict[str, Module]:
        """The server's code modules by dotted name (see `code_modules_by_name`)."""
        return code_modules_by_name(self.files)

    @cached_property
    def taint(self) -> dict[Path, ModuleReport]:
        """The taint analysis of each code module that parsed (the security rules share it)."""
        return {
            path: analyze(loaded.value)
            for path, loaded in self.files.code_modules.items()
            if loaded.value is not None
        }

    @cached_property
    def serving(self) -> Serving:
        """How the server is served: transports, hosts, auth (http-auth, stdout-at-runtime)."""
        files = self.files
        source = files.source.value if files.source is not None else None
        docker = files.dockerfile
        return assess(
            [loaded.value for loaded in files.code_modules.values() if loaded.value is not None],
            source,
            files.source_name,
            files.deployment,
            files.texts[docker] if docker is not None else None,
            knowledge(),
        )

    @cached_property
    def secrets(self) -> list[SecretHit]:
        """Credential-looking lines in the server's code and config files git does not ignore."""
        ignored = self.environment.git_ignored
        texts = self.files.scannable_texts
        return scan_files(
            {path: text for path, text in texts.items() if not ignored.covers(path)},
            self.environment.secret_prefilter,
        )


def facts_for(
    server: Server,
    workspace: Workspace,
    runtime: RuntimeFacts | None = None,
    rule_slugs: Collection[str] = (),
) -> ServerFacts:
    """The facts of one server with an environment of its own (for tests and one-off checks)."""
    return ServerFacts(
        ServerFiles(server, workspace), EnvironmentFacts(workspace, frozenset(rule_slugs)), runtime
    )

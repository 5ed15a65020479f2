"""How `wagents serve` runs a server: over stdio as clients start it, or over HTTP with uvicorn.

HTTP runs `python -m uvicorn <module>:app` (wagents' own interpreter, the workspace environment)
with the server directory as app dir. More than one worker means more than one process, and an MCP
session lives in the process that opened it, so several workers run stateless
(`FASTMCP_STATELESS_HTTP=true`): every request stands alone and any worker can answer it.
"""

from __future__ import annotations

import ast
import ipaddress
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field

from wagents.deploy.clientconfig import stdio_command
from wagents.model import UsageError
from wagents.workspace.server import ServerFiles

STATELESS_ENV = "FASTMCP_STATELESS_HTTP"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


@dataclass(frozen=True)
class HttpOptions:
    """`--host`, `--port`, `--workers`, `--stateless` and the shutdown grace of uvicorn."""

    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    workers: int = 1
    stateless: bool = False
    grace: float = 10.0

    @property
    def effective_stateless(self) -> bool:
        return self.stateless or self.workers > 1


@dataclass(frozen=True)
class Launch:
    """A command to exec, its working directory and environment, and notes for the user."""

    command: list[str]
    cwd: str
    env: dict[str, str]
    notes: list[str] = field(default_factory=list)


def stdio_launch(facts: ServerFiles, environ: Mapping[str, str]) -> Launch:
    """The exact command `wagents config` gives clients (uv, from the server's directory)."""
    command, args = stdio_command(facts)
    return Launch([command, *args], str(facts.path), dict(environ))


def http_launch(facts: ServerFiles, options: HttpOptions, environ: Mapping[str, str]) -> Launch:
    """uvicorn on `<module>:app` with the options; refuses a server without a module-level app."""
    module = _module_name(facts)
    _require_app(facts)
    env = dict(environ)
    notes = []
    if options.effective_stateless:
        if options.workers > 1 and not options.stateless:
            notes.append(
                f"{options.workers} workers: stateless HTTP ({STATELESS_ENV}=true), "
                "since a session lives in the worker that opened it"
            )
        env[STATELESS_ENV] = "true"
    if _binds_beyond_loopback(options.host):
        notes.append(
            f"binding {options.host}: Host/Origin checks cover loopback-bound servers only, "
            "unless FASTMCP_HTTP_ALLOWED_HOSTS / FASTMCP_HTTP_ALLOWED_ORIGINS list yours"
        )
    if options.workers > 1 and _uses_tasks(facts) and _docket_in_memory(environ):
        notes.append(
            "this server has background tasks and FASTMCP_DOCKET_URL is memory://: each worker "
            "keeps its own tasks; use Redis for more than one worker"
        )
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        f"{module}:app",
        "--app-dir",
        str(facts.source_path.parent),
        "--host",
        options.host,
        "--port",
        str(options.port),
        "--workers",
        str(options.workers),
        "--timeout-graceful-shutdown",
        f"{options.grace:g}",
    ]
    return Launch(command, str(facts.path), env, notes)


def _module_name(facts: ServerFiles) -> str:
    if not facts.source_inside_server:
        raise UsageError(f"{facts.server.name}: fastmcp.json source.path leaves the server")
    stem = facts.source_path.stem
    if not facts.source_name.endswith(".py") or not stem.isidentifier():
        raise UsageError(
            f"{facts.server.name}: {facts.source_name} is not an importable Python module"
        )
    return stem


def _require_app(facts: ServerFiles) -> None:
    """The module must define `app` at top level (`app = mcp.http_app(...)`)."""
    loaded = facts.source
    relative = facts.relative(facts.source_path)
    if loaded is None or not loaded.ok or loaded.value is None:
        raise UsageError(f"{relative} is missing or does not parse; run `wagents validate`")
    for node in loaded.value.body:
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign | ast.AugAssign):
            targets = [node.target]
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            if node.name == "app":
                return
        elif isinstance(node, ast.ImportFrom | ast.Import) and any(
            (alias.asname or alias.name) == "app" for alias in node.names
        ):
            return
        if any(isinstance(target, ast.Name) and target.id == "app" for target in targets):
            return
    raise UsageError(
        f'{relative} defines no `app`: add `app = mcp.http_app(host_origin_protection="auto")` '
        "at module level (uvicorn serves it)"
    )


def _binds_beyond_loopback(host: str) -> bool:
    if host == "localhost":
        return False
    try:
        return not ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return True


def _uses_tasks(facts: ServerFiles) -> bool:
    loaded = facts.source
    if loaded is None or loaded.value is None:
        return False
    return any(
        isinstance(node, ast.keyword)
        and node.arg in ("tasks", "task")
        and isinstance(node.value, ast.Constant)
        and node.value.value is True
        for node in ast.walk(loaded.value)
    )


def _docket_in_memory(environ: Mapping[str, str]) -> bool:
    url = environ.get("FASTMCP_DOCKET_URL", "").strip()
    return not url or url.lower().startswith("memory://") or url.startswith("${")

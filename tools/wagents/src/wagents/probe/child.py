"""Runs inside a server's own process: imports the server and reports its runtime facts as JSON.

The validator never imports a server itself. It starts `python -I -m wagents.probe.child` in the
server's directory (see runner.py); this module imports the server module exactly as
`from server import mcp` would, watches what it writes to stdout while importing, resolves the
entrypoint the way `fastmcp run` does, and describes the FastMCP instance with FastMCP's own
`inspect_fastmcp`. The JSON goes to a dedicated file descriptor, never to stdout, so a server that
prints cannot corrupt it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import importlib
import inspect
import json
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

#: Names `fastmcp run` tries, in order, when fastmcp.json names no entrypoint.
DEFAULT_ENTRYPOINTS = ("mcp", "server", "app")


def collect(server_dir: Path, source: str, entrypoint: str | None) -> dict[str, Any]:
    """Import `source` (relative to `server_dir`) and describe the server it defines.

    Assumes the process is already isolated: this changes the working directory, `sys.path`,
    file descriptors 0 and 1, and imports arbitrary code.
    """
    source_path = (server_dir / source).resolve()
    os.chdir(server_dir)
    working_dir = Path.cwd()
    sys.path.insert(0, str(source_path.parent))
    module_name = source_path.stem
    facts: dict[str, Any] = {"status": "ok", "module": module_name}
    _watch_stdin()
    watcher = _StdoutWatcher(sys.stdout, server_dir.resolve())
    sys.stdout = watcher
    module = None
    try:
        module = importlib.import_module(module_name)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) or exc.code is None else str(exc.code)
        facts |= {"status": "exit", "exit_code": code, **_error_location(exc, source_path)}
    except BaseException as exc:
        facts |= {
            "status": "exception",
            "exception": type(exc).__name__,
            "message": _last_line(exc),
            **_error_location(exc, source_path),
        }
    facts["stdout_closed"] = _stdout_closed()
    _stop_capturing_stdout()
    facts["stdout_origin"] = watcher.origin
    facts |= _side_effects(working_dir)
    if module is None:
        return facts
    return facts | asyncio.run(_describe(module, entrypoint))


async def _describe(module: Any, entrypoint: str | None) -> dict[str, Any]:
    from fastmcp import FastMCP

    candidates = [entrypoint] if entrypoint else list(DEFAULT_ENTRYPOINTS)
    found = None
    for name in candidates:
        obj = getattr(module, name, None)
        if obj is None:
            continue
        if inspect.isfunction(obj) or inspect.iscoroutinefunction(obj):
            obj = obj()
            if inspect.isawaitable(obj):
                obj = await obj
        if isinstance(obj, FastMCP) or entrypoint:
            found = (name, obj)
            break
    if found is None:
        return {"status": "no-server", "message": f"none of {', '.join(candidates)} is defined"}
    name, server = found
    if not isinstance(server, FastMCP):
        kind = f"{type(server).__module__}.{type(server).__qualname__}"
        return {
            "status": "not-fastmcp",
            "entrypoint": name,
            "message": f"{name} is a {kind}, not a FastMCP server",
        }
    return {
        "entrypoint": name,
        "server": await _describe_server(server),
        "http_app": _http_app(module),
    }


async def _describe_server(server: Any) -> dict[str, Any]:
    import fastmcp
    from fastmcp.utilities.inspect import inspect_fastmcp

    info = dataclasses.asdict(await inspect_fastmcp(server))
    tools = await server.list_tools()
    tasks = {tool.name: _task_mode(tool) for tool in tools}
    for tool in info["tools"]:
        tool["task"] = tasks.get(tool["name"])
    # Where each component's function is defined, so findings can point at its line.
    components = [
        *tools,
        *await server.list_prompts(),
        *await server.list_resources(),
        *await server.list_resource_templates(),
    ]
    locations = {
        component.key: _source_location(getattr(component, "fn", None)) for component in components
    }
    for kind in ("tools", "prompts", "resources", "templates"):
        for component in info[kind]:
            component.update(locations.get(component["key"]) or {})
    return info | {
        "mask_error_details": bool(getattr(server, "_mask_error_details", False)),
        "tasks": bool(getattr(server, "_support_tasks_by_default", False)),
        # What FastMCP hands Docket at startup (tools, resources, prompts with task support).
        "task_components": sorted(component.key for component in await server.get_tasks()),
        "custom_routes": [
            _route(route) for route in getattr(server, "_additional_http_routes", [])
        ],
        "settings": {
            "stateless_http": fastmcp.settings.stateless_http,
            "docket_url": str(fastmcp.settings.docket.url),
            "http_host_origin_protection": fastmcp.settings.http_host_origin_protection,
            "http_allowed_hosts": fastmcp.settings.http_allowed_hosts,
            "http_allowed_origins": fastmcp.settings.http_allowed_origins,
        },
    }


def _task_mode(tool: Any) -> str | None:
    config = getattr(tool, "task_config", None)
    mode = getattr(config, "mode", None)
    return str(mode) if mode is not None else None


def _route(route: Any) -> dict[str, Any]:
    endpoint = getattr(route, "endpoint", None)
    return {
        "path": getattr(route, "path", None),
        "methods": sorted(getattr(route, "methods", None) or []),
        "endpoint": getattr(endpoint, "__qualname__", None),
        **_source_location(endpoint),
    }


def _source_location(function: Any) -> dict[str, Any]:
    """`{"file", "line"}` of a function's definition (decorators included), or {} if unknown."""
    if function is None:
        return {}
    function = inspect.unwrap(function)
    with contextlib.suppress(OSError, TypeError):
        return {
            "file": inspect.getsourcefile(function),
            "line": inspect.getsourcelines(function)[1],
        }
    return {}


def _http_app(module: Any) -> dict[str, Any] | None:
    """The module-level ASGI app (`app = mcp.http_app()`), if any, and its Host/Origin guard."""
    app = getattr(module, "app", None)
    middleware = getattr(app, "user_middleware", None)
    if middleware is None:
        return None
    protection = None
    allowed: dict[str, Any] = {}
    names = []
    for item in middleware:
        name = getattr(item.cls, "__name__", repr(item.cls))
        names.append(name)
        if name == "HostOriginGuardMiddleware":
            protection = item.kwargs.get("mode", "auto")
            allowed = {key: item.kwargs.get(key) for key in ("allowed_hosts", "allowed_origins")}
    return {
        "attribute": "app",
        "origin_protection": protection,
        "middleware": names,
        # Where FastMCP's app answers MCP (`http_app(path=...)`); None for other apps.
        "path": getattr(getattr(app, "state", None), "path", None),
        **allowed,
    }


def _last_line(exc: BaseException) -> str:
    lines = traceback.format_exception_only(type(exc), exc)
    return lines[-1].strip() if lines else type(exc).__name__


def _error_location(exc: BaseException, source_path: Path) -> dict[str, Any]:
    """The deepest traceback frame inside the server's own file, if any."""
    line = None
    if (
        isinstance(exc, SyntaxError)
        and exc.filename
        and Path(exc.filename).resolve() == source_path
    ):
        return {"line": exc.lineno}
    for frame, lineno in traceback.walk_tb(exc.__traceback__):
        if Path(frame.f_code.co_filename).resolve() == source_path:
            line = lineno
    return {"line": line}


#: What stdin holds while a server imports: an empty line, then end of file. A server that reads
#: stdin at import gets it (and no hang); one that does not leaves it in the pipe.
STDIN_SENTINEL = b"\n"


def _watch_stdin() -> None:
    """Replace fd 0 (closed, /dev/null) by a pipe holding only STDIN_SENTINEL."""
    read_end, write_end = os.pipe()
    os.write(write_end, STDIN_SENTINEL)
    os.close(write_end)
    os.dup2(read_end, 0)
    os.close(read_end)
    sys.stdin = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115 - fd 0 outlives this call


def _stdout_closed() -> bool:
    """The import closed sys.stdout or fd 1, where the stdio transport writes its messages."""
    try:
        os.fstat(1)
    except OSError:
        return True
    return sys.stdout is None or bool(getattr(sys.stdout, "closed", False))


def _side_effects(working_dir: Path) -> dict[str, Any]:
    """What the import did to the process that `fastmcp run` would trip over: stdin, cwd."""
    effects: dict[str, Any] = {}
    try:
        os.set_blocking(0, False)
        left = os.read(0, len(STDIN_SENTINEL) + 1)
    except OSError:  # closed or replaced by the server, or read empty (EAGAIN): it was touched
        left = b""
    effects["stdin_read"] = left != STDIN_SENTINEL
    try:
        now = Path.cwd()
    except OSError:
        now = None
    if now != working_dir:
        effects["cwd_after_import"] = str(now) if now is not None else "(a deleted directory)"
    os.chdir(working_dir)
    return effects


class _StdoutWatcher:
    """Stands in for sys.stdout while the server imports: remembers which line wrote first.

    Output still reaches fd 1, where the runner counts it (writes that bypass sys.stdout, such
    as `os.write(1, ...)` or a subprocess, are counted there too, without a line).
    """

    def __init__(self, stream: Any, server_dir: Path) -> None:
        self._stream = stream
        self._server_dir = str(server_dir) + os.sep
        self.origin: dict[str, Any] | None = None

    def write(self, text: str) -> int:
        if text and self.origin is None:
            self.origin = self._caller()
        return self._stream.write(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def _caller(self) -> dict[str, Any] | None:
        """The innermost frame in a file of the server directory (the server's own line)."""
        frame = sys._getframe(2)
        while frame is not None:
            filename = frame.f_code.co_filename
            # "<frozen importlib._bootstrap>" and "<string>" are no files (nor relative paths).
            if not filename.startswith("<"):
                filename = str(Path(filename).resolve())
                if filename.startswith(self._server_dir):
                    return {"file": filename, "line": frame.f_lineno}
            frame = frame.f_back
        return None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _stop_capturing_stdout() -> None:
    """Point fd 1 at /dev/null once the import is over: later output is not import-time output."""
    with contextlib.suppress(OSError, ValueError):  # the server closed or broke sys.stdout
        sys.stdout.flush()
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.close(devnull)
    sys.stdout = open(1, "w", closefd=False)  # noqa: SIM115 - fd 1 outlives this call


def apply_limits(cpu_seconds: int | None, memory_bytes: int | None) -> None:
    """Cap the probe's CPU time and address space (best effort: not every platform has rlimits)."""
    try:
        import resource
    except ImportError:
        return
    if cpu_seconds:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    if memory_bytes:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))


def arguments(
    server_dir: Path,
    source: str,
    entrypoint: str | None,
    result_fd: int,
    cpu_seconds: int | None,
    memory_bytes: int | None,
) -> list[str]:
    """The arguments of `python -m wagents.probe.child` (the zygote sets the same argv)."""
    args = [str(server_dir), "--source", source, "--result-fd", str(result_fd)]
    if cpu_seconds:
        args += ["--cpu-seconds", str(cpu_seconds)]
    if entrypoint:
        args += ["--entrypoint", entrypoint]
    if memory_bytes:
        args += ["--memory-bytes", str(memory_bytes)]
    return args


def report(
    result_fd: int,
    server_dir: Path,
    source: str,
    entrypoint: str | None,
    cpu_seconds: int | None = None,
    memory_bytes: int | None = None,
    amend: Callable[[dict[str, Any]], None] | None = None,
) -> NoReturn:
    """Apply the limits, collect the facts, write them as JSON to `result_fd` and end the process.

    `amend` may add keys to the facts before they are written (the zygote marks results that a
    fresh interpreter might not reproduce).
    """
    result = os.fdopen(result_fd, "w", encoding="utf-8")
    apply_limits(cpu_seconds, memory_bytes)
    # Daemons the server starts (even with setsid) become our children, so they die with us.
    proctree = _proctree()
    proctree.become_subreaper()
    try:
        facts = collect(server_dir, source, entrypoint)
    except BaseException as exc:  # inspection itself failed (a broken tool, a factory raising)
        facts = {"status": "exception", "exception": type(exc).__name__, "message": _last_line(exc)}
    facts["orphans_killed"] = proctree.kill_descendants(os.getpid())
    if amend is not None:
        amend(facts)
    result.write(json.dumps(facts, default=str))
    result.flush()
    # Skip interpreter shutdown: a server's atexit hooks or non-daemon threads must not hang us.
    os._exit(0)


def _proctree() -> Any:
    """wagents.probe.proctree, also when this file runs alone in a server's own environment
    (`--isolated`: wagents is not installed there, but proctree.py lies beside this file)."""
    try:
        from wagents.probe import proctree
    except ImportError:
        import importlib.util

        location = Path(__file__).with_name("proctree.py")
        spec = importlib.util.spec_from_file_location("_wagents_proctree", location)
        assert spec is not None and spec.loader is not None
        proctree = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(proctree)
    return proctree


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m wagents.probe.child", description=__doc__)
    parser.add_argument("server_dir", type=Path)
    parser.add_argument("--source", default="server.py")
    parser.add_argument("--entrypoint", default=None)
    parser.add_argument("--result-fd", type=int, required=True)
    parser.add_argument("--cpu-seconds", type=int, default=None)
    parser.add_argument("--memory-bytes", type=int, default=None)
    args = parser.parse_args(argv)
    report(
        args.result_fd,
        args.server_dir,
        args.source,
        args.entrypoint,
        args.cpu_seconds,
        args.memory_bytes,
    )


if __name__ == "__main__":
    main()

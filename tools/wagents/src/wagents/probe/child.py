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
import importlib
import inspect
import json
import os
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any, NoReturn

# Relative imports: `--isolated` runs this package under another name (runner.probe_tree), in an
# interpreter that may have a wagents of its own installed.
from . import proctree
from .protocol import (
    PROTOCOL_VERSION,
    ChildReport,
    HttpApp,
    Location,
    Phase,
    Prompt,
    Resource,
    ResourceTemplate,
    Route,
    ServerInfo,
    SessionFacts,
    Settings,
    Status,
    Tool,
    to_json,
)

#: Names `fastmcp run` tries, in order, when fastmcp.json names no entrypoint.
DEFAULT_ENTRYPOINTS = ("mcp", "server", "app")


def collect(server_dir: Path, source: str, entrypoint: str | None, writer: ResultWriter) -> None:
    """Import `source` (relative to `server_dir`), describe the server it defines, then talk to it
    as a client does; each step's result goes to `writer` as soon as it is known.

    Assumes the process is already isolated: this changes the working directory, `sys.path`,
    file descriptors 0 and 1, and imports arbitrary code.
    """
    source_path = (server_dir / source).resolve()
    os.chdir(server_dir)
    working_dir = Path.cwd()
    sys.path.insert(0, str(source_path.parent))
    module_name = source_path.stem
    outcome: dict[str, Any] = {"status": Status.OK}
    _watch_stdin()
    watcher = _StdoutWatcher(sys.stdout, server_dir.resolve())
    sys.stdout = watcher
    module = None
    try:
        module = importlib.import_module(module_name)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) or exc.code is None else str(exc.code)
        outcome |= {"status": Status.EXIT, "exit_code": code, "line": _error_line(exc, source_path)}
    except BaseException as exc:
        outcome |= {
            "status": Status.EXCEPTION,
            "message": _last_line(exc),
            "line": _error_line(exc, source_path),
        }
    outcome["stdout_closed"] = _stdout_closed()
    _stop_capturing_stdout()
    outcome["stdout_origin"] = watcher.origin
    outcome |= _side_effects(working_dir)
    if module is None:
        writer.report(ChildReport(**outcome))
        return
    asyncio.run(_after_import(module, entrypoint, outcome, writer, server_dir.resolve()))


async def _after_import(
    module: Any,
    entrypoint: str | None,
    outcome: dict[str, Any],
    writer: ResultWriter,
    server_dir: Path,
) -> None:
    """Describe the server, report it, then hold an MCP session with it (one event loop)."""
    try:
        described = await _describe(module, entrypoint)
    except BaseException as exc:  # inspection itself failed (a broken tool, a factory raising)
        writer.report(ChildReport(Status.EXCEPTION, _last_line(exc)))
        return
    server = described.pop("_server", None)
    writer.report(ChildReport(**(outcome | described)))
    if server is not None:
        writer.session(*await _session(server, writer.phase, server_dir))


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
        return {
            "status": Status.NO_SERVER,
            "message": f"none of {', '.join(candidates)} is defined",
        }
    name, server = found
    if not isinstance(server, FastMCP):
        kind = f"{type(server).__module__}.{type(server).__qualname__}"
        return {
            "status": Status.NOT_FASTMCP,
            "entrypoint": name,
            "message": f"{name} is a {kind}, not a FastMCP server",
        }
    return {
        "entrypoint": name,
        "server": await _describe_server(server),
        "http_app": _http_app(module),
        "_server": server,
    }


def _dump(model: Any) -> dict[str, Any]:
    """An MCP model as the JSON a client receives (by alias, no None values)."""
    dumped: dict[str, Any] = model.model_dump(mode="json", by_alias=True, exclude_none=True)
    return dumped


async def _describe_server(server: Any) -> ServerInfo:
    """The server object as FastMCP itself describes it, before any client connects."""
    import fastmcp

    tools = await server.list_tools()
    prompts = await server.list_prompts()
    resources = await server.list_resources()
    templates = await server.list_resource_templates()

    def common(component: Any) -> dict[str, Any]:
        return {
            "key": component.key,
            "tags": tuple(sorted(component.tags or ())),
            "location": _source_location(getattr(component, "fn", None)),
        }

    settings = Settings(
        stateless_http=fastmcp.settings.stateless_http,
        docket_url=str(fastmcp.settings.docket.url),
        http_host_origin_protection=fastmcp.settings.http_host_origin_protection,
        http_allowed_hosts=_patterns(fastmcp.settings.http_allowed_hosts),
        http_allowed_origins=_patterns(fastmcp.settings.http_allowed_origins),
    )
    return ServerInfo(
        name=str(server.name or ""),
        instructions=server.instructions,
        version=server.version,
        tools=tuple(
            Tool(_dump(tool.to_mcp_tool(name=tool.name)), task=_task_mode(tool), **common(tool))
            for tool in tools
        ),
        prompts=tuple(
            Prompt(_dump(prompt.to_mcp_prompt()), **common(prompt)) for prompt in prompts
        ),
        resources=tuple(
            Resource(_dump(resource.to_mcp_resource()), **common(resource))
            for resource in resources
        ),
        templates=tuple(
            ResourceTemplate(
                _dump(template.to_mcp_template()),
                parameters=template.parameters,
                **common(template),
            )
            for template in templates
        ),
        mask_error_details=bool(getattr(server, "_mask_error_details", False)),
        tasks=bool(getattr(server, "_support_tasks_by_default", False)),
        # What FastMCP hands Docket at startup (tools, resources, prompts with task support).
        task_components=tuple(sorted(component.key for component in await server.get_tasks())),
        custom_routes=tuple(
            _route(route) for route in getattr(server, "_additional_http_routes", [])
        ),
        settings=settings,
    )


#: The most pages one list may take before the probe stops following `nextCursor`.
MAX_PAGES = 1000
#: What each list is called on the wire, and the method of FastMCP's client that fetches a page.
LISTS = (
    ("tools", "list_tools_mcp"),
    ("resources", "list_resources_mcp"),
    ("templates", "list_resource_templates_mcp"),
    ("prompts", "list_prompts_mcp"),
)
#: The attribute of each page's result holding its items.
ITEMS = {
    "tools": "tools",
    "resources": "resources",
    "templates": "resourceTemplates",
    "prompts": "prompts",
}


async def _session(
    server: Any, announce: Callable[[Phase], None], server_dir: Path
) -> tuple[SessionFacts, dict[str, list[dict[str, Any]]]]:
    """Connect FastMCP's in-memory client as a client would: the lifespan starts, `initialize`,
    every page of every list, `ping`, then the session closes and the lifespan shuts down.

    Each phase is announced before it starts, so that a process that dies or hangs in it is
    reported with the phase by the runner, which sees the announcements.
    """
    from fastmcp import Client

    started = time.monotonic()
    lists: dict[str, list[dict[str, Any]]] = {}
    pages: dict[str, int] = {}
    details: dict[str, Any] = {}
    failure: tuple[Phase, BaseException] | None = None
    phase = Phase.STARTUP
    announce(phase)
    client: Any = Client(server)  # entered by hand: each step of the session is its own phase
    try:
        await client.__aenter__()
    except BaseException as exc:
        failure = (phase, exc)
    else:
        try:
            details = _initialized(client.initialize_result)
            phase = Phase.LIST
            announce(phase)
            for kind, method in LISTS:
                lists[kind], pages[kind] = await _all_pages(getattr(client, method), ITEMS[kind])
            phase = Phase.PING
            announce(phase)
            await client.ping()
        except BaseException as exc:
            failure = (phase, exc)
        announce(Phase.SHUTDOWN)
        try:
            await client.__aexit__(None, None, None)
        except BaseException as exc:
            failure = failure or (Phase.SHUTDOWN, exc)
    seconds = round(time.monotonic() - started, 4)
    if failure is None:
        return SessionFacts(Phase.DONE, pages=pages, seconds=seconds, **details), lists
    failed_phase, error = failure
    message, location = _failure(error, server_dir)
    return (
        SessionFacts(failed_phase, message, location, pages=pages, seconds=seconds, **details),
        {},
    )


def _initialized(result: Any) -> dict[str, Any]:
    """What `initialize` told the client: protocol version, server name and version,
    instructions, capabilities."""
    if result is None:
        return {}
    return {
        "protocol_version": str(result.protocolVersion),
        "server_name": result.serverInfo.name,
        "server_version": result.serverInfo.version,
        "instructions": result.instructions,
        "capabilities": _dump(result.capabilities),
    }


async def _all_pages(fetch: Callable[..., Any], attribute: str) -> tuple[list[dict[str, Any]], int]:
    """Every item of a paginated list, following `nextCursor` (a repeated cursor stops it)."""
    items: list[dict[str, Any]] = []
    cursor = None
    seen: set[str] = set()
    for page in range(1, MAX_PAGES + 1):
        result = await fetch(cursor=cursor)
        items += [_dump(item) for item in getattr(result, attribute)]
        cursor = result.nextCursor
        if not cursor or cursor in seen:
            return items, page
        seen.add(cursor)
    return items, MAX_PAGES


def _failure(exc: BaseException, server_dir: Path) -> tuple[str, Location | None]:
    """One line for a failed session step, and the deepest frame of the server's own code.

    FastMCP's client wraps what the lifespan raised (`RuntimeError: Client failed to connect:
    ...`); the exception that carries a frame of the server is the one worth naming.
    """
    prefix = str(server_dir) + os.sep
    best: tuple[BaseException, Location] | None = None
    for candidate in _chain(exc):
        for frame, lineno in traceback.walk_tb(candidate.__traceback__):
            filename = frame.f_code.co_filename
            if not filename.startswith("<") and str(Path(filename).resolve()).startswith(prefix):
                best = (candidate, Location(str(Path(filename).resolve()), lineno))
    if isinstance(exc, SystemExit) or (best and isinstance(best[0], SystemExit)):
        exit_exc = best[0] if best else exc
        code = exit_exc.code if isinstance(exit_exc, SystemExit) else None
        return f"called sys.exit({code!r})", best[1] if best else None
    named = best[0] if best is not None else exc
    return _first_line(named), best[1] if best is not None else None


def _chain(exc: BaseException) -> list[BaseException]:
    """`exc`, its causes and contexts, and the members of exception groups, outermost first."""
    found: list[BaseException] = []
    pending = [exc]
    while pending and len(found) < 50:
        current = pending.pop(0)
        if any(current is seen for seen in found):
            continue
        found.append(current)
        if isinstance(current, BaseExceptionGroup):
            pending += list(current.exceptions)
        pending += [e for e in (current.__cause__, current.__context__) if e is not None]
    return found


def _first_line(exc: BaseException) -> str:
    lines = traceback.format_exception_only(type(exc), exc)
    text = lines[0].strip() if lines else type(exc).__name__
    return text.splitlines()[0] if text else type(exc).__name__


def _task_mode(tool: Any) -> str | None:
    config = getattr(tool, "task_config", None)
    mode = getattr(config, "mode", None)
    return str(mode) if mode is not None else None


def _route(route: Any) -> Route:
    endpoint = getattr(route, "endpoint", None)
    return Route(
        path=str(getattr(route, "path", None) or ""),
        methods=tuple(sorted(getattr(route, "methods", None) or [])),
        endpoint=getattr(endpoint, "__qualname__", None),
        location=_source_location(endpoint),
    )


def _source_location(function: Any) -> Location | None:
    """Where a function is defined (its first decorator's line), or None if unknown."""
    if function is None:
        return None
    function = inspect.unwrap(function)
    with contextlib.suppress(OSError, TypeError):
        return Location(inspect.getsourcefile(function), inspect.getsourcelines(function)[1])
    return None


def _http_app(module: Any) -> HttpApp | None:
    """The module-level ASGI app (`app = mcp.http_app()`), if any, and its Host/Origin guard."""
    app = getattr(module, "app", None)
    middleware = getattr(app, "user_middleware", None)
    if middleware is None:
        return None
    protection = None
    hosts = origins = None
    names = []
    for item in middleware:
        name = getattr(item.cls, "__name__", repr(item.cls))
        names.append(name)
        if name == "HostOriginGuardMiddleware":
            protection = item.kwargs.get("mode", "auto")
            hosts = _patterns(item.kwargs.get("allowed_hosts"))
            origins = _patterns(item.kwargs.get("allowed_origins"))
    # Where FastMCP's app answers MCP (`http_app(path=...)`); None for other apps.
    path = getattr(getattr(app, "state", None), "path", None)
    return HttpApp(
        "app",
        protection,
        tuple(names),
        path=path if isinstance(path, str) else None,
        allowed_hosts=hosts,
        allowed_origins=origins,
    )


def _patterns(value: Any) -> tuple[str, ...] | None:
    """An allowlist of hosts or origins as strings; None when it is not set."""
    if value is None:
        return None
    try:
        return tuple(str(item) for item in value)
    except TypeError:
        return (str(value),)


def _last_line(exc: BaseException) -> str:
    lines = traceback.format_exception_only(type(exc), exc)
    return lines[-1].strip() if lines else type(exc).__name__


def _error_line(exc: BaseException, source_path: Path) -> int | None:
    """The line of the deepest traceback frame inside the server's own file, if any."""
    line = None
    if (
        isinstance(exc, SyntaxError)
        and exc.filename
        and Path(exc.filename).resolve() == source_path
    ):
        return exc.lineno
    for frame, lineno in traceback.walk_tb(exc.__traceback__):
        if Path(frame.f_code.co_filename).resolve() == source_path:
            line = lineno
    return line


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
        self.origin: Location | None = None

    def write(self, text: str) -> int:
        if text and self.origin is None:
            self.origin = self._caller()
        written: int = self._stream.write(text)
        return written

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def _caller(self) -> Location | None:
        """The innermost frame in a file of the server directory (the server's own line)."""
        frame: FrameType | None = sys._getframe(2)
        while frame is not None:
            filename = frame.f_code.co_filename
            # "<frozen importlib._bootstrap>" and "<string>" are no files (nor relative paths).
            if not filename.startswith("<"):
                filename = str(Path(filename).resolve())
                if filename.startswith(self._server_dir):
                    return Location(filename, frame.f_lineno)
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


#: The largest file a probe may write (its sandbox may live in memory: /dev/shm).
FILE_LIMIT_BYTES = 256 * 1024 * 1024


def apply_limits(cpu_seconds: int | None, memory_bytes: int | None) -> None:
    """Cap the probe's CPU time, address space and the size of any file it writes (best effort:
    not every platform has rlimits)."""
    try:
        import resource
    except ImportError:
        return
    if cpu_seconds:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    if memory_bytes:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    with contextlib.suppress(ValueError, OSError):  # a hard limit already lower: keep it
        resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_LIMIT_BYTES, FILE_LIMIT_BYTES))


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


class ResultWriter:
    """Writes the probe's result to its descriptor as JSON lines: the report of the import (once),
    each session phase as it starts, and a last line with the session's outcome and the orphans.

    A process that ends before the last line still leaves what it had written: the runner tells
    an import that never finished from a lifespan that exited the process.
    """

    def __init__(self, stream: Any, amend: Callable[[ChildReport], ChildReport] | None) -> None:
        self._stream = stream
        self._amend = amend
        self.reported = False
        self._session: dict[str, Any] | None = None
        self._lists: dict[str, list[dict[str, Any]]] = {}

    def _line(self, document: dict[str, Any]) -> None:
        self._stream.write(json.dumps(document, default=str) + "\n")
        self._stream.flush()

    def report(self, report: ChildReport) -> None:
        if self.reported:
            return
        if self._amend is not None:
            report = self._amend(report)
        self._line(report.to_json())
        self.reported = True

    def phase(self, phase: Phase) -> None:
        self._line({"protocol": PROTOCOL_VERSION, "phase": str(phase)})

    def session(self, facts: SessionFacts, lists: dict[str, list[dict[str, Any]]]) -> None:
        self._session, self._lists = to_json(facts), lists

    def final(self, orphans: int) -> None:
        self._line(
            {
                "protocol": PROTOCOL_VERSION,
                "final": True,
                "orphans": orphans,
                "session": self._session,
                "lists": self._lists,
            }
        )


def report(
    result_fd: int,
    server_dir: Path,
    source: str,
    entrypoint: str | None,
    cpu_seconds: int | None = None,
    memory_bytes: int | None = None,
    amend: Callable[[ChildReport], ChildReport] | None = None,
) -> NoReturn:
    """Apply the limits, collect the facts, write them as JSON lines to `result_fd` and end the
    process.

    `amend` may change the import's report before it is written (the zygote marks results that
    a fresh interpreter might not reproduce).
    """
    writer = ResultWriter(os.fdopen(result_fd, "w", encoding="utf-8"), amend)
    apply_limits(cpu_seconds, memory_bytes)
    # Daemons the server starts (even with setsid) become our children, so they die with us.
    proctree.become_subreaper()
    try:
        collect(server_dir, source, entrypoint, writer)
    except BaseException as exc:  # the probe itself failed around the server's code
        writer.report(ChildReport(Status.EXCEPTION, _last_line(exc)))
    writer.final(proctree.kill_descendants(os.getpid()))
    # Skip interpreter shutdown: a server's atexit hooks or non-daemon threads must not hang us.
    os._exit(0)


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

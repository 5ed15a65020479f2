"""`wagents validate --live`: start a server the way its clients do and talk MCP to it.

Two launches per server, each in a session of its own under a subreaper (reaper.py: what the
server leaves running when it ends is killed then), killed afterwards with anything left
(runner.kill_all: the process group, and the daemons that left it), with the probe's scrubbed
environment and a fresh temporary HOME, XDG directories and TMPDIR, removed afterwards:

- stdio: the command and arguments `wagents config NAME` writes into client configurations
  (`uv run --directory <server> fastmcp run <source>[:<entrypoint>] --transport stdio
  --no-banner`, see `client_command`), driven by the MCP SDK's `ClientSession` over the pipes:
  initialize, every page of the lists, ping, then stdin closed and the exit awaited. Every line
  the server writes to stdout is read here first: what is not JSON-RPC is kept (cut) and never
  reaches the session. `UV_NO_SYNC=1` and `UV_OFFLINE=1` keep uv from re-locking or re-syncing
  the workspace (a client's `uv run` would sync it; validation must not change it).
- HTTP: uvicorn serving the module's `app` (or `<entrypoint>.http_app()` when the module has
  none) from wagents' interpreter, stateless with two workers, on a loopback socket this process
  binds and hands over (`--fd`), so the port is known and no other process can take it. A real
  client session (streamable HTTP), `/health` when asked, a request with a foreign Origin and one
  with a foreign Host, then SIGTERM and the exit awaited.

The results are frozen facts (`LiveFacts`); rules judge them (check/rules/live.py).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wagents.probe.environment import probe_environment
from wagents.probe.runner import STDERR_TAIL_BYTES, _has_exited, kill_all
from wagents.probe.sandbox import home_environment

if TYPE_CHECKING:
    import asyncio

#: How long a stdio server may take to exit once its stdin is closed (issue 14; clients wait a
#: few seconds before they kill it).
STDIN_EXIT_SECONDS = 5.0
#: How long an HTTP server may take to exit after SIGTERM (container runtimes wait 10 s).
SIGTERM_EXIT_SECONDS = 10.0
#: uvicorn workers: more than one makes a request land on any of them (stateless HTTP).
HTTP_WORKERS = 2
#: A name no deployment serves (RFC 2606 `.invalid`): what a DNS-rebinding page would send.
FOREIGN_HOST = "rebinding.invalid"
FOREIGN_ORIGIN = f"http://{FOREIGN_HOST}"
#: How much of a line that is not JSON-RPC a finding quotes, and how many such lines are kept.
STRAY_CHARS = 80
STRAY_KEPT = 5
#: The longest stdout line read (a tools/list answer of a big server is one line).
LINE_LIMIT = 16 * 1024 * 1024
#: Pages read per list before the server is taken to loop on its cursors.
MAX_PAGES = 100
#: How long each plain HTTP request (/health, the foreign Host/Origin ones) may take.
REQUEST_SECONDS = 10.0
#: How long a server whose pipe closed gets to exit, so that its exit status can be told.
CLOSED_EXIT_SECONDS = 2.0
#: How long a failed launch may go on writing to stderr before it is killed.
QUIET_SECONDS = 2.0
#: What every launch runs under: it kills what the server leaves behind when it ends (reaper.py).
REAPER = (sys.executable, "-I", "-m", "wagents.probe.reaper")
#: Why a server is not started over stdio in a workspace that was never synced.
NO_ENVIRONMENT = (
    "start: the workspace has no environment (.venv) for `uv run` to use; run `uv sync` first "
    "(a client's `uv run` would create and sync it)"
)
#: The module uvicorn imports when the server module has no `app` (see `_fallback_app`).
FALLBACK_MODULE = "_wagents_live_app"


@dataclass(frozen=True)
class LiveRequest:
    """One server to launch: where it is and what the probe found out about it.

    `entrypoint` is fastmcp.json's (what `wagents config` passes to `fastmcp run`);
    `server_object` is the module attribute the probe found the server in; `app` says whether the
    module defines an HTTP app to serve; `mcp_path` is where that app answers MCP; `health`
    whether it defines `GET /health`.
    """

    server_dir: Path
    workspace_root: Path
    source: str = "server.py"
    entrypoint: str | None = None
    server_object: str = "mcp"
    app: bool = True
    mcp_path: str = "/mcp"
    health: bool = False
    timeout: float = 30.0
    uv: str = "uv"
    #: The server's `[tool.wagents] probe-env` and deployment placeholders (as the probe gets).
    env: tuple[tuple[str, str], ...] = ()
    stdio: bool = True  # launch over stdio
    http: bool = True  # serve over HTTP


@dataclass(frozen=True)
class Listing:
    """What a client's list calls returned: tool and prompt names, resource URIs and templates."""

    tools: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()
    templates: tuple[str, ...] = ()
    prompts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Session:
    """A client session: the first failure (`step: reason`, one line) or what it listed."""

    failure: str | None = None
    timed_out: bool = False
    protocol_version: str | None = None
    listing: Listing | None = None


@dataclass(frozen=True)
class StdioFacts:
    """The server started as a client configuration starts it, seen over its pipes.

    `stray_lines` are the first lines of stdout that are not JSON-RPC (cut to 80 characters),
    `stray_count` how many there were. `stopped` is None when the session failed before stdin
    was closed, else whether the process exited within 5 s of it.
    """

    command: tuple[str, ...]
    session: Session
    stray_lines: tuple[str, ...] = ()
    stray_count: int = 0
    stopped: bool | None = None
    stop_seconds: float | None = None
    exit_code: int | None = None
    stderr_tail: str = ""
    seconds: float = 0.0


@dataclass(frozen=True)
class HttpFacts:
    """The server under uvicorn (two stateless workers), seen through real HTTP requests.

    The statuses are None when the request was not made (no `/health`, or the session failed).
    `stopped` is None when SIGTERM was not reached, else whether uvicorn exited within 10 s.
    """

    command: tuple[str, ...]
    url: str
    session: Session
    health_status: int | None = None
    foreign_origin_status: int | None = None
    foreign_host_status: int | None = None
    stopped: bool | None = None
    stop_seconds: float | None = None
    exit_code: int | None = None
    stderr_tail: str = ""
    seconds: float = 0.0


@dataclass(frozen=True)
class LiveFacts:
    """What `--live` saw of one server, per transport (None: that launch was not asked for);
    `skipped` says why nothing was launched, when something was asked for."""

    stdio: StdioFacts | None
    http: HttpFacts | None
    skipped: str | None = None

    @property
    def unstable(self) -> bool:
        """A launch ran out of time: that depends on the machine, not only on the server."""
        return any(
            facts is not None and facts.session.timed_out for facts in (self.stdio, self.http)
        )


def client_command(server_dir: Path, source: str, entrypoint: str | None) -> tuple[str, list[str]]:
    """The command and arguments that start a server over stdio from any directory: what
    client configurations hold (deploy/clientconfig.py writes them from here)."""
    spec = f"{source}:{entrypoint}" if entrypoint else source
    args = ["run", "--directory", str(server_dir.resolve()), "fastmcp", "run", spec]
    return "uv", [*args, "--transport", "stdio", "--no-banner"]


def has_environment(workspace_root: Path) -> bool:
    """Whether the workspace has the environment `uv run` would use (`.venv`, created by
    `uv sync`); without it uv would create an empty one inside the workspace."""
    return (workspace_root / ".venv" / "pyvenv.cfg").is_file()


def live_jobs(jobs: int | None, count: int) -> int:
    """How many of `count` servers `run_live` launches at once (`jobs`, default: CPUs)."""
    return max(1, min(jobs or os.cpu_count() or 1, count))


def run_live(
    requests: Iterable[LiveRequest], jobs: int | None = None
) -> Iterator[tuple[LiveRequest, LiveFacts]]:
    """Launch every server (stdio and HTTP), `jobs` servers at a time, yielding as they end."""
    pending = list(requests)
    if not pending:
        return
    _import_clients()
    workers = live_jobs(jobs, len(pending))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(check_live, request): request for request in pending}
        for future in as_completed(futures):
            yield futures[future], future.result()


def check_live(request: LiveRequest) -> LiveFacts:
    """The launches of one server, at the same time (they share nothing but the server's files)."""
    _import_clients()
    with ThreadPoolExecutor(max_workers=2) as pool:
        stdio = pool.submit(run_stdio, request) if request.stdio else None
        http = pool.submit(run_http, request) if request.http else None
        return LiveFacts(
            stdio=stdio.result() if stdio is not None else None,
            http=http.result() if http is not None else None,
        )


def _import_clients() -> None:
    """Import the MCP client modules once, in this thread: importing them from several threads
    at once can deadlock on their import locks. (Not at the top: only `--live` needs them.)"""
    import anyio  # noqa: F401
    import httpx  # noqa: F401
    from mcp.client.streamable_http import streamable_http_client  # noqa: F401
    from mcp.shared.message import SessionMessage  # noqa: F401

    from mcp import ClientSession  # noqa: F401


# -- the sandbox of a launch ----------------------------------------------------------------------


@contextlib.contextmanager
def _sandbox(extra: Iterable[tuple[str, str]] = ()) -> Iterator[tuple[Path, dict[str, str]]]:
    """A fresh temporary directory and the probe's environment (plus `extra`) with HOME, the XDG
    directories and TMPDIR inside it; the directory is removed afterwards, whatever the server
    left there."""
    home = Path(tempfile.mkdtemp(prefix="wagents-live-"))
    try:
        directories = home_environment(home, home / "tmp")
        for directory in directories.values():
            Path(directory).mkdir(parents=True, exist_ok=True)
        env = {**probe_environment(), **dict(extra), **directories}
        env.update(UV_NO_SYNC="1", UV_OFFLINE="1", UV_NO_PROGRESS="1")
        env.update(FASTMCP_CHECK_FOR_UPDATES="off", FASTMCP_SHOW_SERVER_BANNER="false")
        # Plain log lines: rich wraps a message over several lines at 80 columns.
        env.update(FASTMCP_ENABLE_RICH_LOGGING="false")
        yield home, env
    finally:
        shutil.rmtree(home, ignore_errors=True)


def _exit_code(process: subprocess.Popen[bytes]) -> int | None:
    """The exit status of a process that exited, without reaping it (-N for signal N)."""
    if not hasattr(os, "waitid"):
        return process.poll()
    try:
        info = os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    except ChildProcessError:
        return process.returncode
    if info is None:
        return None
    return info.si_status if info.si_code == os.CLD_EXITED else -info.si_status


async def _wait_exit(process: subprocess.Popen[bytes], seconds: float) -> float | None:
    """Seconds until the process exited, or None when it still runs after `seconds`."""
    import asyncio

    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if _has_exited(process):
            return round(time.monotonic() - started, 3)
        await asyncio.sleep(0.05)
    return round(time.monotonic() - started, 3) if _has_exited(process) else None


class _Tail:
    """Reads a launch's output pipe in a thread until end of file, keeping only its tail (a
    server that floods it costs neither memory nor disk)."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self._tail = b""
        self._last = time.monotonic()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            while chunk := os.read(self._stream.fileno(), 65536):
                self._tail = (self._tail + chunk)[-STDERR_TAIL_BYTES:]
                self._last = time.monotonic()

    def wait_quiet(self, quiet: float = 0.3, longest: float = QUIET_SECONDS) -> None:
        """Wait until nothing came for `quiet` seconds (at most `longest`): a failing server is
        still writing its traceback when the session sees the failure."""
        deadline = time.monotonic() + longest
        while time.monotonic() < deadline and time.monotonic() - self._last < quiet:
            if not self._thread.is_alive():
                return
            time.sleep(0.05)

    def close(self) -> str:
        """The tail, once the pipe ended (every writer is dead by now) or after a second."""
        self._thread.join(timeout=1.0)
        with contextlib.suppress(OSError):
            self._stream.close()
        return self._tail.decode("utf-8", "replace")


# -- one client session, whatever the transport ---------------------------------------------------


class _Exited(Exception):
    """The server process exited while the session was running."""


async def _session(
    open_session: Callable[[], contextlib.AbstractAsyncContextManager[Any]],
    process: subprocess.Popen[bytes],
    timeout: float,
) -> Session:
    """initialize, the lists, ping through `open_session()` (a ClientSession), within `timeout`.

    The process is watched meanwhile: when it exits, the session stops at once and says so.
    """
    import asyncio

    import anyio
    from mcp.shared.exceptions import McpError
    from mcp.types import CONNECTION_CLOSED

    step = ["initialize"]
    outcome: list[Session] = []
    errors: list[BaseException] = []

    async def converse(scope: anyio.CancelScope) -> None:
        try:
            async with open_session() as session:
                result = await session.initialize()
                listing = await _list_everything(session, result.capabilities, step)
                step[0] = "ping"
                await session.send_ping()
            version = str(result.protocolVersion)
            outcome.append(Session(protocol_version=version, listing=listing))
        except Exception as exc:  # an error answer, a transport error, an HTTP status
            errors.append(exc)
        scope.cancel()

    async def watch() -> None:
        while not _has_exited(process):
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.2)  # let the session see the closed pipe first
        step[0] = f"{step[0]}: {_exited(process)}"
        raise _Exited

    try:
        with anyio.fail_after(timeout):
            async with anyio.create_task_group() as group:
                group.start_soon(watch)
                await converse(group.cancel_scope)
    except TimeoutError:
        return Session(f"{step[0]}: no answer within {timeout:g} s", timed_out=True)
    except BaseExceptionGroup as group:
        if not group.subgroup(_Exited):
            raise
        return Session(step[0])
    if outcome:
        return outcome[0]
    error = _leaf(errors[0]) if errors else None
    if isinstance(error, McpError) and error.error.code == CONNECTION_CLOSED:
        await _wait_exit(process, CLOSED_EXIT_SECONDS)  # the pipe closed: it is exiting
    if _has_exited(process):
        return Session(f"{step[0]}: {_exited(process)}")
    if isinstance(error, McpError):
        return Session(f"{step[0]}: {_one_line(error.error.message)}")
    return Session(f"{step[0]}: {_describe(error) if error else 'the session ended'}")


def _exited(process: subprocess.Popen[bytes]) -> str:
    code = _exit_code(process)
    if code is not None and code < 0:
        with contextlib.suppress(ValueError):
            return f"the server was killed by {signal.Signals(-code).name}"
    return f"the server exited with status {code}"


def _leaf(exc: BaseException) -> BaseException:
    """The first exception inside (nested) exception groups: task groups wrap what they raise."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    return exc


def _describe(exc: BaseException) -> str:
    """One line for an exception."""
    exc = _leaf(exc)
    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", None)
    if isinstance(status, int):  # httpx.HTTPStatusError: its text adds a documentation link
        return f"the server answered HTTP {status}"
    text = _one_line(str(exc))
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _one_line(text: str) -> str:
    return " ".join(text.split())[:300]


async def _list_everything(session: Any, capabilities: Any, step: list[str]) -> Listing:
    """Every page of every list the server's capabilities announce."""
    tools: tuple[str, ...] = ()
    prompts: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()
    templates: tuple[str, ...] = ()
    if capabilities.tools is not None:
        step[0] = "tools/list"
        tools = tuple(item.name for item in await _pages(session.list_tools, "tools"))
    if capabilities.resources is not None:
        step[0] = "resources/list"
        resources = tuple(
            str(item.uri) for item in await _pages(session.list_resources, "resources")
        )
        step[0] = "resources/templates/list"
        templates = tuple(
            item.uriTemplate
            for item in await _pages(session.list_resource_templates, "resourceTemplates")
        )
    if capabilities.prompts is not None:
        step[0] = "prompts/list"
        prompts = tuple(item.name for item in await _pages(session.list_prompts, "prompts"))
    return Listing(tools=tools, resources=resources, templates=templates, prompts=prompts)


async def _pages(method: Callable[..., Awaitable[Any]], attribute: str) -> list[Any]:
    from mcp.types import PaginatedRequestParams

    items: list[Any] = []
    cursor: str | None = None
    seen: set[str] = set()
    for _ in range(MAX_PAGES):
        params = PaginatedRequestParams(cursor=cursor) if cursor is not None else None
        result = await method(params=params)
        items += getattr(result, attribute)
        cursor = result.nextCursor
        if cursor is None or cursor in seen:
            break
        seen.add(cursor)
    return items


# -- stdio -----------------------------------------------------------------------------------------


@dataclass
class _Stdout:
    """What the server wrote to stdout besides JSON-RPC."""

    stray_lines: list[str] = field(default_factory=list)
    stray_count: int = 0

    def stray(self, text: str) -> None:
        self.stray_count += 1
        if len(self.stray_lines) < STRAY_KEPT:
            self.stray_lines.append(text[:STRAY_CHARS])


def run_stdio(request: LiveRequest) -> StdioFacts:
    """Start the server as a client configuration does and hold one session with it."""
    import asyncio

    command, args = client_command(request.server_dir, request.source, request.entrypoint)
    shown = (command, *args)
    if not has_environment(request.workspace_root):
        return StdioFacts(shown, Session(NO_ENVIRONMENT))
    started = time.monotonic()
    with _sandbox(request.env) as (_home, env):
        try:
            process = subprocess.Popen(
                [*REAPER, request.uv, *args],
                cwd=request.server_dir,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=env,
                start_new_session=True,
            )
        except OSError as exc:
            return StdioFacts(shown, Session(f"start: {_describe(exc)}"))
        stderr = _Tail(process.stderr)
        stdout = _Stdout()
        try:
            session, stopped, stop_seconds = asyncio.run(_stdio_session(process, request, stdout))
            if session.failure is not None:
                stderr.wait_quiet()
            exit_code = _exit_code(process)
        finally:
            kill_all(process.pid)
            process.wait()
            for stream in (process.stdin, process.stdout):
                with contextlib.suppress(OSError):
                    stream.close()  # type: ignore[union-attr]
            stderr_tail = stderr.close()
        return StdioFacts(
            command=shown,
            session=session,
            stray_lines=tuple(stdout.stray_lines),
            stray_count=stdout.stray_count,
            stopped=stopped,
            stop_seconds=stop_seconds,
            exit_code=exit_code,
            stderr_tail=stderr_tail,
            seconds=round(time.monotonic() - started, 3),
        )


async def _stdio_session(
    process: subprocess.Popen[bytes], request: LiveRequest, stdout: _Stdout
) -> tuple[Session, bool | None, float | None]:
    import asyncio

    import anyio
    from mcp.shared.message import SessionMessage

    from mcp import ClientSession

    assert process.stdin is not None and process.stdout is not None
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=LINE_LIMIT)
    read_transport, _ = await loop.connect_read_pipe(
        lambda: asyncio.StreamReaderProtocol(reader), process.stdout
    )
    transport, protocol = await loop.connect_write_pipe(
        asyncio.streams.FlowControlMixin, process.stdin
    )
    writer = asyncio.StreamWriter(transport, protocol, None, loop)
    read_send, read_receive = anyio.create_memory_object_stream[SessionMessage | Exception](0)
    write_send, write_receive = anyio.create_memory_object_stream[SessionMessage](0)

    @contextlib.asynccontextmanager
    async def open_session() -> Any:
        timeout = timedelta(seconds=request.timeout)
        async with ClientSession(read_receive, write_send, read_timeout_seconds=timeout) as client:
            yield client

    try:
        async with anyio.create_task_group() as group:
            group.start_soon(_read_stdout, reader, read_send, stdout)
            group.start_soon(_write_stdin, write_receive, writer)
            session = await _session(open_session, process, request.timeout)
            await write_send.aclose()  # _write_stdin then closes the pipe: the server sees EOF
            stopped: bool | None = None
            stop_seconds = None
            if session.failure is None:
                stop_seconds = await _wait_exit(process, STDIN_EXIT_SECONDS)
                stopped = stop_seconds is not None
                with anyio.move_on_after(0.5):  # what it wrote while stopping counts too
                    while not reader.at_eof():
                        await asyncio.sleep(0.02)
            group.cancel_scope.cancel()
    finally:  # a server that never closes its stdout would leave the read pipe open
        read_transport.close()
    return session, stopped, stop_seconds


async def _read_stdout(reader: asyncio.StreamReader, sink: Any, stdout: _Stdout) -> None:
    """Pass JSON-RPC lines to the session and note every other line, until end of file."""
    import anyio
    from mcp.shared.message import SessionMessage
    from mcp.types import JSONRPCMessage
    from pydantic import ValidationError

    async with sink:
        while True:
            try:
                raw = await reader.readline()
            except ValueError:  # longer than LINE_LIMIT: dropped, the rest read as a new line
                stdout.stray(f"(a line longer than {LINE_LIMIT // 1024 // 1024} MiB)")
                continue
            if not raw:
                return
            text = raw.decode("utf-8", "replace").rstrip("\r\n")
            try:
                message = JSONRPCMessage.model_validate_json(text)
            except ValidationError:
                stdout.stray(text if text.strip() else "(an empty line)")
                continue
            with contextlib.suppress(anyio.ClosedResourceError, anyio.BrokenResourceError):
                await sink.send(SessionMessage(message))


async def _write_stdin(source: Any, writer: asyncio.StreamWriter) -> None:
    """Write the session's messages to the server's stdin, one line each; close it at the end."""
    try:
        async with source:
            async for message in source:
                data = message.message.model_dump_json(by_alias=True, exclude_none=True)
                writer.write(data.encode("utf-8") + b"\n")
                await writer.drain()
    except (ConnectionError, OSError):
        pass  # the server closed its stdin or exited: the session sees it
    finally:
        writer.close()


# -- HTTP ------------------------------------------------------------------------------------------


def run_http(request: LiveRequest) -> HttpFacts:
    """Serve the server with uvicorn (two stateless workers) and talk to it over HTTP."""
    import asyncio

    started = time.monotonic()
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    with listener, _sandbox(request.env) as (home, env):
        listener.bind(("127.0.0.1", 0))
        listener.listen(128)
        port = listener.getsockname()[1]
        base = f"http://127.0.0.1:{port}"
        url = base + request.mcp_path
        command = _uvicorn_command(request, home, listener.fileno())
        env["FASTMCP_STATELESS_HTTP"] = "true"
        try:
            process = subprocess.Popen(
                [*REAPER, *command],
                cwd=request.server_dir,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                env=env,
                pass_fds=(listener.fileno(),),
                start_new_session=True,
            )
        except OSError as exc:
            return HttpFacts(tuple(command), url, Session(f"start: {_describe(exc)}"))
        output = _Tail(process.stdout)
        try:
            facts = asyncio.run(_http_checks(process, request, base, url))
            if facts["session"].failure is not None:
                output.wait_quiet()
            exit_code = _exit_code(process)
        finally:
            kill_all(process.pid)
            process.wait()
            stderr_tail = output.close()
        return HttpFacts(
            command=tuple(command),
            url=url,
            **facts,
            exit_code=exit_code,
            stderr_tail=stderr_tail,
            seconds=round(time.monotonic() - started, 3),
        )


def _uvicorn_command(request: LiveRequest, home: Path, fd: int) -> list[str]:
    source = (request.server_dir / request.source).resolve()
    if request.app:
        target, app_dir = f"{source.stem}:app", source.parent
    else:
        _fallback_app(home, source, request.server_object)
        target, app_dir = f"{FALLBACK_MODULE}:app", home
    return [
        sys.executable,
        "-m",
        "uvicorn",
        target,
        "--app-dir",
        str(app_dir),
        "--fd",
        str(fd),
        "--workers",
        str(HTTP_WORKERS),
        "--no-access-log",
    ]


def _fallback_app(home: Path, source: Path, server_object: str) -> None:
    """A module serving `<server_object>.http_app()` of the server module (it has no `app`)."""
    text = (
        '"""Written by wagents validate --live: the server module defines no `app`."""\n'
        "import importlib, inspect, sys\n"
        f"sys.path.insert(0, {str(source.parent)!r})\n"
        f"server = getattr(importlib.import_module({source.stem!r}), {server_object!r})\n"
        "if inspect.isfunction(server):\n"
        "    server = server()\n"
        "app = server.http_app()\n"
    )
    (home / f"{FALLBACK_MODULE}.py").write_text(text, encoding="utf-8")


async def _http_checks(
    process: subprocess.Popen[bytes], request: LiveRequest, base: str, url: str
) -> dict[str, Any]:
    import httpx
    from mcp.client.streamable_http import streamable_http_client

    from mcp import ClientSession

    timeout = httpx.Timeout(request.timeout, read=request.timeout)

    @contextlib.asynccontextmanager
    async def open_session() -> Any:
        async with (
            httpx.AsyncClient(timeout=timeout) as http,
            streamable_http_client(url, http_client=http, terminate_on_close=False) as (
                read_stream,
                write_stream,
                _,
            ),
            ClientSession(read_stream, write_stream) as client,
        ):
            yield client

    session = await _session(open_session, process, request.timeout)
    facts: dict[str, Any] = {"session": session}
    if session.failure is not None:
        return facts
    # A server that held a whole session answers these at once; a hang is bounded all the same.
    async with httpx.AsyncClient(timeout=min(request.timeout, REQUEST_SECONDS)) as http:
        try:
            if request.health:
                facts["health_status"] = (await http.get(f"{base}/health")).status_code
            facts["foreign_origin_status"] = await _post_initialize(
                http, url, {"Origin": FOREIGN_ORIGIN}
            )
            facts["foreign_host_status"] = await _post_initialize(http, url, {"Host": FOREIGN_HOST})
        except httpx.HTTPError:
            pass  # the statuses stay unknown; the session above worked, so this is rare
    process.send_signal(signal.SIGTERM)
    stop_seconds = await _wait_exit(process, SIGTERM_EXIT_SECONDS)
    facts.update(stopped=stop_seconds is not None, stop_seconds=stop_seconds)
    return facts


async def _post_initialize(http: Any, url: str, headers: dict[str, str]) -> int:
    """The status of an initialize request sent with `headers` (a DNS-rebinding page's)."""
    body = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": "2025-06-18",
            "capabilities": {},
            "clientInfo": {"name": "wagents-live", "version": "0"},
        },
    }
    response = await http.post(
        url,
        json=body,
        headers={"Accept": "application/json, text/event-stream", **headers},
    )
    return int(response.status_code)

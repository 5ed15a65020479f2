"""`wagents serve` and the seed's HTTP deployment patterns, with real processes on 127.0.0.1.

A scaffolded server (plus a `worker_pid` tool) runs under `wagents serve --transport http` with two
uvicorn workers; real fastmcp Clients open sessions over streamable HTTP. The FastAPI mount of the
seed runs under uvicorn too, and the stdio form is driven by a real client over a pipe.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastmcp import Client
from fastmcp.client.transports import StdioTransport

from wagents.testing import invoke_wagents, scratch_workspace, wagents_command

from .helpers import REPO_ROOT
from .taskcluster import Processes, Started, free_port, processes, wait_healthy, wait_until

SESSIONS = 24

PID_TOOL = '''

@mcp.tool
def worker_pid() -> int:
    """The pid of the process that answers (tells uvicorn workers apart)."""
    return os.getpid()
'''

FASTAPI_APP = '''"""The seed's pattern: the MCP app mounted in FastAPI, lifespan passed through."""

from fastapi import FastAPI

from server import mcp

mcp_app = mcp.http_app(path="/")
api = FastAPI(lifespan=mcp_app.lifespan)
api.mount("/mcp", mcp_app)


@api.get("/")
def index() -> dict[str, str]:
    return {"service": "api"}
'''

FASTAPI_WITHOUT_LIFESPAN = FASTAPI_APP.replace("FastAPI(lifespan=mcp_app.lifespan)", "FastAPI()")


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("serve")
    root = base / "repo"
    scratch_workspace(root, ["notes", "bare"])
    server_py = root / "mcp" / "notes" / "server.py"
    server_py.write_text(server_py.read_text() + PID_TOOL)
    (root / "mcp" / "notes" / "api.py").write_text(FASTAPI_APP)
    (root / "mcp" / "notes" / "api_without_lifespan.py").write_text(FASTAPI_WITHOUT_LIFESPAN)
    bare = root / "mcp" / "bare" / "server.py"
    bare.write_text(re.sub(r"\napp = .*\n", "\n", bare.read_text()))
    return root


@pytest.fixture
def registry(tmp_path: Path) -> Iterator[Processes]:
    with processes(tmp_path) as started:
        yield started


def wait_started(started: Started, base: str, ready_lines: int = 1) -> None:
    """/health answers once `ready_lines` uvicorn processes logged their start."""
    wait_healthy(
        base,
        started.alive,
        started.output,
        ready=lambda: started.output().count("Application startup complete") >= ready_lines,
    )


def serve_http(registry: Processes, root: Path, *extra: str) -> tuple[Started, str]:
    port = free_port()
    command = [*wagents_command(), "serve", "notes", "--transport", "http", "--port", str(port)]
    started = registry.start("serve", [*command, *extra], cwd=root)
    workers = int(extra[extra.index("--workers") + 1]) if "--workers" in extra else 1
    base = f"http://127.0.0.1:{port}"
    wait_started(started, base, ready_lines=workers)
    return started, base


async def one_session(url: str, index: int) -> int:
    async with Client(url, timeout=60) as client:
        names = {tool.name for tool in await client.list_tools()}
        assert {"echo", "worker_pid"} <= names
        echoed = await client.call_tool("echo", {"text": f"session {index}"})
        assert echoed.data == f"session {index}"
        pid = await client.call_tool("worker_pid", {})
        return int(pid.data)


@pytest.mark.slow  # two uvicorn workers, many sessions
async def test_two_workers_stateless_serve_many_sessions(root: Path, registry: Processes) -> None:
    started, base = serve_http(registry, root, "--workers", "2")
    assert "stateless" in started.output()
    worker_pids = {
        int(pid) for pid in re.findall(r"Started server process \[(\d+)\]", started.output())
    }
    assert len(worker_pids) == 2
    assert started.pid not in worker_pids  # the supervisor is exec'd uvicorn, not a wrapper

    pids = await asyncio.gather(*(one_session(f"{base}/mcp", i) for i in range(SESSIONS)))
    assert len(pids) == SESSIONS
    assert set(pids) <= worker_pids
    assert len(set(pids)) == 2, f"every session landed on one worker: {set(pids)}"

    response = httpx.get(f"{base}/health", timeout=5)
    assert response.status_code == 200
    assert response.json() == {"status": "healthy"}

    # SIGTERM stops the supervisor and both workers cleanly.
    os.kill(started.pid, signal.SIGTERM)
    assert started.process.wait(timeout=30) == 0
    for pid in worker_pids:
        wait_until(lambda pid=pid: not _alive(pid), f"worker {pid} to exit", timeout=10)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/stat")
    return not (status.exists() and status.read_text().split(") ")[-1].startswith("Z"))


async def test_one_worker_keeps_sessions_and_stops_on_ctrl_c(
    root: Path, registry: Processes
) -> None:
    started, base = serve_http(registry, root)
    assert "sessions" in started.output()
    async with Client(f"{base}/mcp", timeout=60) as client:
        first = await client.call_tool("worker_pid", {})
        second = await client.call_tool("worker_pid", {})
        assert first.data == second.data
        assert client.transport.get_session_id() is not None  # a stateful session
    os.kill(started.pid, signal.SIGINT)
    assert started.process.wait(timeout=30) == 0
    # (The MCP SDK logs a ClosedResourceError when a client ends its session; not ours.)
    shutdown = started.output().partition("Shutting down")[2]
    assert "Finished server process" in shutdown
    assert "Traceback" not in shutdown


def test_host_and_origin_protection_refuse_foreign_requests(
    root: Path, registry: Processes
) -> None:
    _, base = serve_http(registry, root)
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
    headers = {"Accept": "application/json, text/event-stream"}
    foreign = httpx.post(
        f"{base}/mcp", json=body, headers={**headers, "Origin": "http://evil.example"}, timeout=5
    )
    assert foreign.status_code == 403
    rebinding = httpx.post(
        f"{base}/mcp", json=body, headers={**headers, "Host": "evil.example"}, timeout=5
    )
    assert rebinding.status_code in (400, 403, 421)
    # The same request from the server's own origin gets past the guard (to MCP's own checks).
    own = httpx.post(f"{base}/mcp", json=body, headers={**headers, "Origin": base}, timeout=5)
    assert own.status_code not in (403, 421)


def _uvicorn(registry: Processes, root: Path, app: str) -> tuple[Started, str]:
    import sys

    port = free_port()
    command = [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port)]
    started = registry.start(app.replace(":", "-"), command, cwd=root / "mcp" / "notes")
    base = f"http://127.0.0.1:{port}"

    def up() -> bool:
        if not started.alive():
            raise AssertionError(f"uvicorn exited:\n{started.output()}")
        try:
            return httpx.get(f"{base}/", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    wait_until(up, f"{app} to answer")
    return started, base


async def test_fastapi_mount_with_the_lifespan_passed_through(
    root: Path, registry: Processes
) -> None:
    _, base = _uvicorn(registry, root, "api:api")
    assert httpx.get(f"{base}/", timeout=5).json() == {"service": "api"}
    async with Client(f"{base}/mcp/", timeout=60) as client:
        assert "echo" in {tool.name for tool in await client.list_tools()}
        assert (await client.call_tool("echo", {"text": "mounted"})).data == "mounted"


async def test_fastapi_mount_without_the_lifespan_fails(root: Path, registry: Processes) -> None:
    """What passing the lifespan is for: without it MCP's session manager never starts."""
    _, base = _uvicorn(registry, root, "api_without_lifespan:api")
    with pytest.raises(Exception):  # noqa: B017 - the transport fails in its own ways
        async with Client(f"{base}/mcp/", timeout=15) as client:
            await client.list_tools()


async def test_stdio_serves_what_clients_start(tmp_path: Path) -> None:
    """`wagents serve NAME` (stdio) runs the config's command: a real client over the pipe."""
    command = wagents_command()
    transport = StdioTransport(
        command[0],
        [*command[1:], "serve", "workspace-tools"],
        cwd=str(REPO_ROOT),
        keep_alive=False,
    )
    async with Client(transport, timeout=60) as client:
        assert "list_rules" in {tool.name for tool in await client.list_tools()}
        rules = await client.call_tool("list_rules", {})
        assert any(item["slug"] == "import-check" for item in rules.structured_content["result"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["notes", "--workers", "2"], "--workers apply to --transport http only"),
        (["notes", "--port", "9000", "--stateless"], "--port, --stateless apply"),
        (["bare", "--transport", "http"], "defines no `app`"),
        (["ghost"], "no server named ghost"),
        (["notes", "--transport", "http", "--workers", "0"], "--workers"),
    ],
)
def test_usage_errors(root: Path, args: list[str], message: str) -> None:
    done = invoke_wagents("serve", *args, cwd=root)
    assert done.returncode == 2, done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_uvicorn_is_not_left_running_when_the_port_is_taken(
    root: Path, registry: Processes
) -> None:
    started, base = serve_http(registry, root)
    port = base.rpartition(":")[2]
    done = subprocess.run(
        [*wagents_command(), "serve", "notes", "--transport", "http", "--port", port],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode != 0
    assert "address already in use" in done.stderr.lower()
    assert started.alive()

"""Real processes for task tests: a throwaway Redis, a server over HTTP, `wagents worker`.

Everything started here is tracked by a `Processes` registry and stopped when it closes, even when
a test fails: each process runs in a session of its own, gets SIGTERM then SIGKILL, and the
workers that `wagents worker` started are killed by the pids it printed, in case it could not
stop them itself.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import redis

from wagents.testing import free_port, wagents_command

from .helpers import require_tool

#: How long a process may take to answer after it starts (a noisy 2-core machine).
START_SECONDS = 60.0


@dataclass
class Started:
    """One process started for a test, and the file its output goes to."""

    name: str
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        return self.log.read_text("utf-8", "replace") if self.log.exists() else ""

    def alive(self) -> bool:
        return self.process.poll() is None


@dataclass
class Processes:
    """Starts processes in sessions of their own and stops all of them on `close()`."""

    directory: Path
    started: list[Started] = field(default_factory=list)

    def start(
        self,
        name: str,
        command: Sequence[str],
        cwd: Path,
        env: Mapping[str, str] | None = None,
    ) -> Started:
        log = self.directory / f"{name}.log"
        with log.open("wb") as sink:
            process = subprocess.Popen(
                list(command),
                cwd=cwd,
                env={**os.environ, **(env or {})},
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        started = Started(name, process, log)
        self.started.append(started)
        return started

    def close(self) -> None:
        leftovers = []
        for started in reversed(self.started):
            if started.alive():
                _signal_group(started.pid, signal.SIGTERM)
        for started in reversed(self.started):
            try:
                started.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                _signal_group(started.pid, signal.SIGKILL)
                started.process.wait()
            leftovers += worker_pids(started.output())
        for pid in leftovers:  # workers of a `wagents worker` that could not stop them
            _signal_group(pid, signal.SIGKILL)


def _signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)


def worker_pids(output: str) -> list[int]:
    """The pids `wagents worker` reported (`NAME.N started (pid P)`), in worker order."""
    return [int(pid) for pid in re.findall(r"^\S+\.\d+ started \(pid (\d+)\)$", output, re.M)]


def wait_until(condition, what: str, timeout: float = START_SECONDS, every: float = 0.1) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(every)


def wait_healthy(
    base: str,
    alive: Callable[[], bool],
    output: Callable[[], str],
    ready: Callable[[], bool] = lambda: True,
) -> None:
    """Wait until `base`/health answers 200; fail at once, with its output, if the server exits.

    `ready` can hold the first request back (e.g. until every worker logged its start).
    """

    def healthy() -> bool:
        if not alive():
            raise AssertionError(f"the server exited:\n{output()}")
        if not ready():
            return False
        with contextlib.suppress(httpx.HTTPError):
            return httpx.get(f"{base}/health", timeout=2).status_code == 200
        return False

    wait_until(healthy, f"{base}/health")


@contextlib.contextmanager
def processes(directory: Path) -> Iterator[Processes]:
    registry = Processes(directory)
    try:
        yield registry
    finally:
        registry.close()


def start_redis(registry: Processes, directory: Path) -> str:
    """A Redis of our own on a free loopback port, no persistence; returns its URL."""
    binary = require_tool("redis-server")
    for attempt in range(5):  # another process may grab the free port before Redis binds it
        port = free_port()
        data = directory / f"redis-{attempt}"
        data.mkdir()
        command = [binary, "--save", "", "--appendonly", "no", "--dir", str(data)]
        command += ["--port", str(port), "--bind", "127.0.0.1"]
        server = registry.start(f"redis-{attempt}", command, cwd=data)
        client = redis.Redis(host="127.0.0.1", port=port, socket_timeout=1)
        deadline = time.monotonic() + START_SECONDS
        while server.alive() and time.monotonic() < deadline:
            with contextlib.suppress(redis.RedisError):
                if client.ping():
                    client.close()
                    return f"redis://127.0.0.1:{port}/0"
            time.sleep(0.05)
        client.close()
        if server.alive():
            raise AssertionError(f"redis-server did not answer:\n{server.output()}")
    raise AssertionError(f"redis-server would not start:\n{server.output()}")


def start_http_server(
    registry: Processes, server_dir: Path, env: Mapping[str, str]
) -> tuple[Started, str]:
    """`uvicorn server:app` for the server in `server_dir`; returns it and its MCP URL."""
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "server:app", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--no-access-log"]
    server = registry.start("uvicorn", command, cwd=server_dir, env=env)
    base = f"http://127.0.0.1:{port}"
    wait_healthy(base, server.alive, server.output)
    return server, f"{base}/mcp"


def start_wagents_worker(
    registry: Processes, workspace_root: Path, name: str, count: int, env: Mapping[str, str]
) -> Started:
    """The real `wagents worker NAME --count N` (its stderr carries the workers' pids)."""
    command = [*wagents_command(), "worker", name, "--count", str(count), "--grace", "10"]
    return registry.start("wagents-worker", command, cwd=workspace_root, env=env)

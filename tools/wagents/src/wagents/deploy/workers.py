"""Extra Docket workers for a server's background tasks: start N, forward their output, stop them.

A FastMCP server with background tasks runs a Docket worker inside its own process. More workers
(`fastmcp tasks worker`, one process each) share the work when they and the server use the same
Redis: FASTMCP_DOCKET_URL. `memory://` lives inside one process, so workers refuse it.

Stopping: SIGINT to every worker's process group (FastMCP's worker then shuts down its Docket
worker; a task it was running stays pending in Redis and is redelivered to another worker after
FASTMCP_DOCKET_REDELIVERY_TIMEOUT), a grace period, then SIGKILL for any still running.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from wagents.analysis.docket import DOCKET_URL_ENV, SHARED_SCHEMES
from wagents.model import Server, UsageError
from wagents.probe.runner import ProbeLimits, request_for, run_probe
from wagents.workspace.root import Workspace
from wagents.workspace.server import ServerFiles

#: The variable naming each worker (FastMCP's Docket settings).
WORKER_NAME_ENV = "FASTMCP_DOCKET_WORKER_NAME"
#: How often the supervisor looks at its workers and at stop requests.
POLL_SECONDS = 0.1


def check_docket_url(url: str | None) -> str:
    """The scheme of `url` if workers in other processes can share it; else a UsageError.

    The message never repeats the URL: it may carry a password.
    """
    example = "e.g. FASTMCP_DOCKET_URL=redis://127.0.0.1:6379/0"
    if url is None or not url.strip():
        raise UsageError(f"{DOCKET_URL_ENV} is not set: workers need a shared Redis ({example})")
    scheme, separator, _ = url.strip().partition("://")
    if scheme.lower() == "memory":
        raise UsageError(
            f"{DOCKET_URL_ENV} is memory://, which lives inside one process: "
            f"workers need a shared Redis ({example})"
        )
    if not separator:
        raise UsageError(f"{DOCKET_URL_ENV} is not a URL ({example})")
    if scheme not in SHARED_SCHEMES:
        shown = scheme.encode("unicode_escape").decode("ascii")[:40]
        schemes = ", ".join(f"{name}://" for name in SHARED_SCHEMES)
        raise UsageError(
            f"{DOCKET_URL_ENV} has the scheme {shown!r}, which Docket cannot share between "
            f"processes (use {schemes})"
        )
    return scheme


def check_docket_installed(server: Server) -> None:
    """Workers run in this interpreter: pydocket (the `fastmcp[tasks]` extra) must be in it."""
    if importlib.util.find_spec("docket") is None:
        raise UsageError(
            f"pydocket is not installed in this environment: give {server.name} the dependency "
            '"fastmcp[tasks]>=3,<4" (pyproject.toml and fastmcp.json) and run `uv sync`'
        )


def check_server_has_tasks(workspace: Workspace, server: Server, timeout: float = 60.0) -> None:
    """Refuse a server that imports fine but gives Docket nothing to run (a worker would idle).

    The import runs in an isolated probe process. A server that fails to import there (it may
    need variables the probe does not pass on) is not refused: its workers report their own
    errors.
    """
    facts = ServerFiles(server, workspace)
    runtime = run_probe(request_for(facts), ProbeLimits(timeout=timeout))
    if runtime.server is not None and runtime.imported and not runtime.server.task_components:
        raise UsageError(
            f"{server.name} has no background tasks (no tool, resource or prompt with "
            "task=True): a worker would have nothing to run"
        )


def worker_command(server: Server, python: str | None = None) -> list[str]:
    """`fastmcp tasks worker` for `server`, run by this interpreter; cwd must be the server dir."""
    spec = "fastmcp.json" if (server.path / "fastmcp.json").is_file() else "server.py"
    return [python or sys.executable, "-m", "fastmcp.cli", "tasks", "worker", spec]


def worker_environment(base: Mapping[str, str], index: int) -> dict[str, str]:
    """The environment of worker number `index` (1-based).

    Docket names a worker `host#pid` unless FASTMCP_DOCKET_WORKER_NAME is set; a name set for
    the pool gets `-<index>` so that no two workers share one (Redis tracks work per name).
    """
    env = dict(base)
    env["PYTHONUNBUFFERED"] = "1"
    name = base.get(WORKER_NAME_ENV)
    if name:
        env[WORKER_NAME_ENV] = f"{name}-{index}"
    return env


def describe_exit(returncode: int) -> str:
    """`exited with status 3` or `was killed by SIGKILL`."""
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        return f"was killed by {name}"
    return f"exited with status {returncode}"


@dataclass
class Worker:
    """One worker process and the thread that forwards its output."""

    index: int
    label: str
    process: subprocess.Popen[bytes]
    forwarder: threading.Thread | None = None

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def running(self) -> bool:
        return self.process.poll() is None


@dataclass
class WorkerPool:
    """N copies of one command, each in a process group of its own, output prefixed per worker.

    The workers get their own sessions so that a Ctrl-C at the terminal reaches only the
    supervisor, which then stops them in order (a terminal SIGINT would hit them all at once,
    mid-start for some).
    """

    command: Sequence[str]
    count: int
    cwd: Path
    env: Mapping[str, str]
    label: str = "worker"
    out: TextIO = field(default_factory=lambda: sys.stdout)
    workers: list[Worker] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> list[Worker]:
        """Start every worker (already started ones are kept if a later one fails to start)."""
        with _sigint_deliverable():
            return self._start()

    def _start(self) -> list[Worker]:
        for index in range(1, self.count + 1):
            process = subprocess.Popen(
                list(self.command),
                cwd=self.cwd,
                env=worker_environment(self.env, index),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            worker = Worker(index, f"{self.label}.{index}", process)
            worker.forwarder = threading.Thread(
                target=self._forward, args=(worker,), name=f"forward-{worker.label}", daemon=True
            )
            worker.forwarder.start()
            self.workers.append(worker)
        return self.workers

    def _forward(self, worker: Worker) -> None:
        assert worker.process.stdout is not None
        writable = True
        with worker.process.stdout as stream:
            for raw in stream:  # keep draining even when `out` is gone, or the worker blocks
                if not writable:
                    continue
                line = raw.decode("utf-8", "replace").rstrip("\r\n")
                with self._lock:
                    try:
                        self.out.write(f"{worker.label} | {line}\n")
                        self.out.flush()
                    except (OSError, ValueError):  # e.g. `wagents worker | head` closed the pipe
                        writable = False

    def first_exited(self) -> Worker | None:
        """A worker that is no longer running, if any."""
        return next((worker for worker in self.workers if not worker.running), None)

    def stop(self, grace: float, hurry: threading.Event | None = None) -> list[Worker]:
        """SIGINT to every running worker's group, then SIGKILL after `grace` seconds (or at once
        when `hurry` is set). Returns the workers that had to be killed."""
        running = [worker for worker in self.workers if worker.running]
        for worker in running:
            _signal_group(worker.pid, signal.SIGINT)
        deadline = time.monotonic() + grace
        while any(worker.running for worker in running):
            if time.monotonic() >= deadline or (hurry is not None and hurry.is_set()):
                break
            time.sleep(POLL_SECONDS)
        killed = [worker for worker in running if worker.running]
        for worker in killed:
            _signal_group(worker.pid, signal.SIGKILL)
        for worker in self.workers:
            worker.process.wait()
            if worker.forwarder is not None:
                # A grandchild may hold the pipe open; the thread is a daemon, so don't wait long.
                worker.forwarder.join(timeout=2)
        return killed


def _say(err: TextIO, line: str) -> None:
    with contextlib.suppress(OSError, ValueError):  # a closed stderr must not stop the shutdown
        err.write(line + "\n")
        err.flush()


@contextlib.contextmanager
def _sigint_deliverable() -> Iterator[None]:
    """Workers start with SIGINT's default action, the signal `stop` asks them to end with.

    An ignored signal stays ignored across exec: started from `cmd &` in a script or under some
    supervisors, which ignore SIGINT, every worker would ignore it too and be killed after the
    grace period. A handled one is reset at exec, so while the workers start this process
    handles SIGINT instead of ignoring it (the main thread only; elsewhere nothing changes).
    """
    try:
        ignored = signal.getsignal(signal.SIGINT) is signal.SIG_IGN
        if ignored:
            signal.signal(signal.SIGINT, signal.default_int_handler)
    except ValueError:  # not the main thread
        ignored = False
    try:
        yield
    finally:
        if ignored:
            signal.signal(signal.SIGINT, signal.SIG_IGN)


def _signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)


@dataclass(frozen=True)
class Outcome:
    """How a supervised run ended: 0 when stopped on request, 1 when a worker died on its own."""

    status: int
    died: Worker | None
    killed: list[Worker]


def supervise(pool: WorkerPool, grace: float, err: TextIO) -> Outcome:
    """Start the pool and run until SIGINT/SIGTERM or until a worker exits, then stop them all.

    Must run in the main thread (it installs signal handlers, restored on return). A second
    Ctrl-C skips the grace period. Whatever happens here, no worker outlives the call.
    """
    stop = threading.Event()
    hurry = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        (hurry if stop.is_set() else stop).set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    died = None
    killed: list[Worker] = []
    try:
        try:
            for worker in pool.start():
                _say(err, f"{worker.label} started (pid {worker.pid})")
            while not stop.wait(POLL_SECONDS):
                died = pool.first_exited()
                if died is not None:
                    break
            running = sum(worker.running for worker in pool.workers)
            if died is not None:
                exit_text = describe_exit(died.process.returncode)
                _say(
                    err, f"{died.label} (pid {died.pid}) {exit_text}; stopping the other {running}"
                )
            else:
                _say(err, f"stopping {running} worker(s) (grace {grace:g} s; Ctrl-C again to kill)")
        finally:
            killed = pool.stop(grace, hurry)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    for worker in killed:
        _say(err, f"{worker.label} (pid {worker.pid}) did not stop in time: killed")
    return Outcome(1 if died is not None else 0, died, killed)


def pool_for(
    server: Server,
    count: int,
    environ: Mapping[str, str] | None = None,
    out: TextIO | None = None,
) -> WorkerPool:
    """A pool of `count` `fastmcp tasks worker` processes for `server` (nothing started yet)."""
    return WorkerPool(
        command=worker_command(server),
        count=count,
        cwd=server.path,
        env=dict(os.environ if environ is None else environ),
        label=server.name,
        out=out or sys.stdout,
    )

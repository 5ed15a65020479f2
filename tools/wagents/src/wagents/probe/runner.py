"""Run probes: one isolated process per server, with a timeout, bounded output and no orphans."""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from wagents.check.facts import RuntimeFacts
from wagents.probe.proctree import kill_descendants

#: Environment variables a probe inherits; everything else (tokens, secrets) is dropped.
ENV_ALLOWLIST = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR", "SYSTEMROOT")
#: How much of a probe's stdout is kept as a sample, and of its stderr as a tail.
STDOUT_SAMPLE_BYTES = 200
STDERR_TAIL_BYTES = 4000
#: The largest result document a probe may send.
RESULT_LIMIT_BYTES = 32 * 1024 * 1024
#: probe.py imports only the standard library at top level, so any interpreter can run it by path
#: (`python -I path/to/probe.py`): how the isolated install check probes an environment that has
#: no wagents in it.
PROBE_FILE = Path(__file__).with_name("child.py")


@dataclass(frozen=True)
class ProbeRequest:
    """What to import: a server directory, its module file and the entrypoint to look for, and
    the interpreter to do it with (default: wagents' own)."""

    server_dir: Path
    source: str = "server.py"
    entrypoint: str | None = None
    python: str | None = None


@dataclass(frozen=True)
class ProbeLimits:
    """Bounds for one probe process."""

    timeout: float = 30.0
    memory_bytes: int | None = 4 * 1024**3

    @property
    def cpu_seconds(self) -> int:
        return int(self.timeout) + 5


def probe_environment() -> dict[str, str]:
    """The scrubbed environment of a probe: the allowlist plus quiet, bytecode-free Python."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key in ENV_ALLOWLIST or key.startswith("LC_")
    }
    env.update(
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONUNBUFFERED="1",
        PYTHONIOENCODING="utf-8",
        FASTMCP_LOG_LEVEL="WARNING",
        FASTMCP_SHOW_CLI_BANNER="false",
    )
    return env


def run_probe(request: ProbeRequest, limits: ProbeLimits | None = None) -> RuntimeFacts:
    """Import one server in a fresh interpreter and return what it showed.

    The child gets its own session (so the whole process group can be killed), a closed stdin,
    a scrubbed environment and rlimits; its stdout is counted and sampled, its stderr tailed.
    """
    from wagents.probe.child import arguments  # asyncio and friends: only when a probe runs

    limits = limits or ProbeLimits()
    result_read, result_write = os.pipe()
    # -I: no PYTHON* variables, user site or script directory; -B: never write __pycache__ into
    # the server (-I ignores PYTHONDONTWRITEBYTECODE); -u: output is counted even before a crash.
    if request.python is None:
        launcher = [sys.executable, "-I", "-B", "-u", "-m", "wagents.probe.child"]
    else:
        launcher = [request.python, "-I", "-B", "-u", str(PROBE_FILE)]
    command = [
        *launcher,
        *arguments(
            request.server_dir,
            request.source,
            request.entrypoint,
            result_write,
            limits.cpu_seconds,
            limits.memory_bytes,
        ),
    ]
    started = time.monotonic()
    try:
        process = subprocess.Popen(
            command,
            cwd=request.server_dir,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=probe_environment(),
            pass_fds=(result_write,),
            start_new_session=True,
        )
    finally:
        os.close(result_write)
    with os.fdopen(result_read, "rb") as result_pipe:
        capture = _capture(process, result_pipe, deadline=started + limits.timeout)
    seconds = round(time.monotonic() - started, 3)
    return _interpret(process.returncode, capture, limits, seconds)


@dataclass
class _Capture:
    stdout_bytes: int = 0
    stdout_sample: bytes = b""
    stderr_tail: bytes = b""
    result: bytes = b""
    timed_out: bool = False


def _capture(process: subprocess.Popen[bytes], result_pipe, deadline: float) -> _Capture:
    """Read the three pipes until the child exits (or the deadline), keeping bounded parts."""
    assert process.stdout is not None and process.stderr is not None
    capture = _Capture()
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ, "stdout")
    selector.register(process.stderr, selectors.EVENT_READ, "stderr")
    selector.register(result_pipe, selectors.EVENT_READ, "result")
    try:
        while selector.get_map():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                capture.timed_out = not _has_exited(process)
                break
            events = selector.select(timeout=min(remaining, 0.2))
            for key, _ in events:
                chunk = os.read(key.fd, 65536)
                if not chunk:
                    selector.unregister(key.fileobj)
                    continue
                _keep(capture, key.data, chunk)
            if not events and _has_exited(process):
                # The child is gone but something it left behind holds the pipes open.
                break
    finally:
        selector.close()
        _kill_all(process.pid)
        process.wait()
        for stream in (process.stdout, process.stderr):
            stream.close()
    return capture


def _keep(capture: _Capture, stream: str, chunk: bytes) -> None:
    if stream == "stdout":
        capture.stdout_bytes += len(chunk)
        room = STDOUT_SAMPLE_BYTES - len(capture.stdout_sample)
        if room > 0:
            capture.stdout_sample += chunk[:room]
    elif stream == "stderr":
        capture.stderr_tail = (capture.stderr_tail + chunk)[-STDERR_TAIL_BYTES:]
    elif len(capture.result) < RESULT_LIMIT_BYTES:
        capture.result += chunk


def _has_exited(process: subprocess.Popen[bytes]) -> bool:
    """Whether the probe has exited, without reaping it: its pid stays reserved until `wait`."""
    if not hasattr(os, "waitid"):  # macOS: reaping is fine there, there is no /proc to read
        return process.poll() is not None
    try:
        flags = os.WEXITED | os.WNOHANG | os.WNOWAIT
        return os.waitid(os.P_PID, process.pid, flags) is not None
    except ChildProcessError:
        return True


def _kill_all(pid: int) -> None:
    """Kill the probe and everything it started: its group, and descendants that left it.

    The group is stopped first so that nothing forks while the descendants are collected; the
    probe (a child subreaper, unreaped until `wait`) keeps even `setsid` daemons among them.
    """
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGSTOP)
    kill_descendants(pid)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, signal.SIGKILL)


def _interpret(
    returncode: int, capture: _Capture, limits: ProbeLimits, seconds: float
) -> RuntimeFacts:
    common = {
        "stdout_bytes": capture.stdout_bytes,
        "stdout_sample": capture.stdout_sample.decode("utf-8", "replace"),
        "stderr_tail": capture.stderr_tail.decode("utf-8", "replace"),
        "seconds": seconds,
    }
    if capture.timed_out:
        return RuntimeFacts(
            status="timeout",
            message=f"did not finish importing within {limits.timeout:g} s",
            **common,
        )
    if capture.result:
        try:
            data = json.loads(capture.result)
        except ValueError:
            data = None
        if isinstance(data, dict):
            return RuntimeFacts(
                status=str(data.get("status", "no-result")),
                message=data.get("message"),
                line=data.get("line"),
                exit_code=data.get("exit_code"),
                entrypoint=data.get("entrypoint"),
                server=data.get("server"),
                http_app=data.get("http_app"),
                stdin_read=bool(data.get("stdin_read")),
                stdout_closed=bool(data.get("stdout_closed")),
                orphans=int(data.get("orphans_killed") or 0),
                cwd_after_import=data.get("cwd_after_import"),
                stdout_origin=data.get("stdout_origin"),
                **common,
            )
    if returncode < 0:
        name = _signal_name(-returncode)
        return RuntimeFacts(
            status="crashed",
            message=f"the interpreter died ({name})",
            exit_code=returncode,
            **common,
        )
    return RuntimeFacts(
        status="exit",
        message=f"the process exited with status {returncode} while importing",
        exit_code=returncode,
        **common,
    )


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def run_probes(
    requests: Iterable[ProbeRequest],
    limits: ProbeLimits | None = None,
    jobs: int | None = None,
    on_done: Callable[[ProbeRequest, RuntimeFacts], None] | None = None,
) -> Iterator[tuple[ProbeRequest, RuntimeFacts]]:
    """Run probes `jobs` at a time (default: one per CPU), yielding results as they finish."""
    pending = list(requests)
    if not pending:
        return
    workers = max(1, jobs or os.cpu_count() or 1)
    with ThreadPoolExecutor(max_workers=min(workers, len(pending))) as pool:
        futures = {pool.submit(run_probe, request, limits): request for request in pending}
        for future in as_completed(futures):
            request, facts = futures[future], future.result()
            if on_done is not None:
                on_done(request, facts)
            yield request, facts

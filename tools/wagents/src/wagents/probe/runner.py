"""Run probes: one isolated process per server, with a timeout, bounded output and no orphans."""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import functools
import os
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from wagents.probe.environment import PYTHON_FLAGS, probe_environment
from wagents.probe.proctree import kill_descendants
from wagents.probe.protocol import (
    PHASE_TEXT,
    ChildReport,
    Phase,
    ProbeResult,
    RuntimeFacts,
    SessionFacts,
    Status,
    map_strings,
    read_result,
)
from wagents.probe.sandbox import Sandbox
from wagents.workspace.server import ServerFiles

#: How much of a probe's stdout is kept as a sample, and of its stderr as a tail.
STDOUT_SAMPLE_BYTES = 200
STDERR_TAIL_BYTES = 4000
#: The largest result document a probe may send.
RESULT_LIMIT_BYTES = 32 * 1024 * 1024
#: The modules of `wagents.probe` that run inside a server's process: standard library only, so
#: an interpreter that has nothing but the server's own dependencies (`--isolated`) runs them.
CHILD_MODULES = ("child.py", "protocol.py", "proctree.py")
#: The package name of the probe's modules in `probe_tree()`: not `wagents`, which the server's
#: own environment may hold (a server built on wagents, such as the workspace-tools server).
TREE_PACKAGE = "_wagents_probe"
#: `python -c` bootstrap of such an interpreter: the probe from the tree of `probe_tree()`.
_BOOTSTRAP = (
    "import sys; sys.path.insert(0, sys.argv.pop(1)); "
    "sys.argv[0] = 'wagents.probe.child'; "
    f"from {TREE_PACKAGE}.child import main; main()"
)


@functools.cache
def probe_tree() -> Path:
    """A temporary directory holding the probe's modules as the package TREE_PACKAGE.

    Putting wagents' own install location on another interpreter's path would lend it every
    package installed beside wagents; this tree lends it the probe and nothing else. Removed when
    this process exits.
    """
    root = Path(tempfile.mkdtemp(prefix="wagents-probe-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    package = root / TREE_PACKAGE
    package.mkdir()
    (package / "__init__.py").write_text('"""The probe of wagents, alone."""\n')
    here = Path(__file__).resolve().parent
    for name in CHILD_MODULES:
        shutil.copyfile(here / name, package / name)
    return root


@dataclass(frozen=True)
class ProbeRequest:
    """What to import: a server directory, its module file and the entrypoint to look for, the
    interpreter to do it with (default: wagents' own), the variables the server's probe may see
    besides the scrubbed environment (`[tool.wagents] probe-env`, placeholders), and the
    workspace root (the sandbox copies the server to the same place relative to it)."""

    server_dir: Path
    source: str = "server.py"
    entrypoint: str | None = None
    python: str | None = None
    env: tuple[tuple[str, str], ...] = ()
    workspace_root: Path | None = None


def request_for(files: ServerFiles, python: str | None = None) -> ProbeRequest:
    """The probe of a server as its files configure it (module, entrypoint, probe environment)."""
    return ProbeRequest(
        files.path,
        files.source_name,
        files.entrypoint,
        python,
        env=files.probe_env,
        workspace_root=files.workspace.root,
    )


@dataclass(frozen=True)
class ProbeLimits:
    """Bounds for one probe process."""

    timeout: float = 30.0
    memory_bytes: int | None = 4 * 1024**3

    @property
    def cpu_seconds(self) -> int:
        return int(self.timeout) + 5


def run_probe(request: ProbeRequest, limits: ProbeLimits | None = None) -> RuntimeFacts:
    """Import one server in a fresh interpreter, in a sandbox, and return what it showed."""
    chosen = limits or ProbeLimits()
    return sandboxed(request, lambda inside, env: run_fresh(inside, chosen, env))


def sandboxed(
    request: ProbeRequest, run: Callable[[ProbeRequest, dict[str, str]], RuntimeFacts]
) -> RuntimeFacts:
    """`run(request, environment)` on a copy of the server in a fresh sandbox (see sandbox.py),
    with the sandbox's HOME, XDG directories and TMPDIR; the facts name the real paths and say
    what the probe left on disk. The sandbox is removed afterwards, whatever happened."""
    sandbox = Sandbox.create(request.server_dir, request.workspace_root)
    try:
        inside = dataclasses.replace(request, server_dir=sandbox.server_dir)
        facts = run(inside, {**dict(request.env), **sandbox.environment()})
        effects = sandbox.side_effects()
        relocated: RuntimeFacts = map_strings(facts, sandbox.real_path)
        return dataclasses.replace(relocated, side_effects=effects)
    finally:
        sandbox.remove()


def run_fresh(
    request: ProbeRequest, limits: ProbeLimits, env: dict[str, str] | None = None
) -> RuntimeFacts:
    """Import one server in a fresh interpreter (where it lies) and return what it showed.

    The child gets its own session (so the whole process group can be killed), a closed stdin,
    a scrubbed environment (plus `env`) and rlimits; its stdout is counted and sampled, its
    stderr tailed.
    """
    from wagents.probe.child import arguments  # asyncio and friends: only when a probe runs

    result_read, result_write = os.pipe()
    if request.python is None:
        launcher = [sys.executable, *PYTHON_FLAGS, "-m", "wagents.probe.child"]
    else:
        launcher = [request.python, *PYTHON_FLAGS, "-c", _BOOTSTRAP, str(probe_tree())]
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
            env={**probe_environment(), **(env or {})},
            pass_fds=(result_write,),
            start_new_session=True,
        )
    finally:
        os.close(result_write)
    with os.fdopen(result_read, "rb") as result_pipe:
        capture = _capture(process, result_pipe, deadline=started + limits.timeout)
    seconds = round(time.monotonic() - started, 3)
    return interpret(process.returncode, capture, limits, seconds)


@dataclass
class Capture:
    stdout_bytes: int = 0
    stdout_sample: bytes = b""
    stderr_tail: bytes = b""
    result: bytes = b""
    timed_out: bool = False


def _capture(process: subprocess.Popen[bytes], result_pipe: BinaryIO, deadline: float) -> Capture:
    """Read the three pipes until the child exits (or the deadline), keeping bounded parts."""
    assert process.stdout is not None and process.stderr is not None
    capture = Capture()
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
                keep_output(capture, key.data, chunk)
            if not events and _has_exited(process):
                # The child is gone but something it left behind holds the pipes open. Take what
                # it wrote: it may have written and exited just after the select timed out.
                for key in list(selector.get_map().values()):
                    for chunk in drain(key.fd):
                        keep_output(capture, key.data, chunk)
                break
    finally:
        selector.close()
        kill_all(process.pid)
        process.wait()
        for stream in (process.stdout, process.stderr):
            stream.close()
    return capture


def drain(fd: int) -> Iterator[bytes]:
    """What can be read from `fd` now, without waiting for more (it is made non-blocking)."""
    os.set_blocking(fd, False)
    with contextlib.suppress(BlockingIOError):
        while chunk := os.read(fd, 65536):
            yield chunk


def keep_output(capture: Capture, stream: str, chunk: bytes) -> None:
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


def kill_all(pid: int) -> None:
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


def interpret(
    returncode: int, capture: Capture, limits: ProbeLimits, seconds: float
) -> RuntimeFacts:
    """The facts of one probe: what it reported, and what its end shows of what it did not."""
    result = read_result(capture.result) if capture.result else ProbeResult()
    report, session = result.report, result.session
    if report is None:  # the import itself never finished
        if capture.timed_out:
            report = ChildReport(
                Status.TIMEOUT, f"did not finish importing within {limits.timeout:g} s"
            )
        elif returncode < 0:
            report = ChildReport(
                Status.CRASHED,
                f"the interpreter died ({_signal_name(-returncode)})",
                exit_code=returncode,
            )
        else:
            report = ChildReport(
                Status.EXIT,
                f"the process exited with status {returncode} while importing",
                exit_code=returncode,
            )
    elif not result.finished and report.status is Status.OK and report.server is not None:
        # It imported, then died or hung talking to its client: the session says where.
        phase = result.phase or Phase.STARTUP
        doing = PHASE_TEXT[phase]
        if capture.timed_out:
            session = SessionFacts(
                phase, f"did not finish {doing} within {limits.timeout:g} s", timed_out=True
            )
        elif returncode < 0:
            session = SessionFacts(
                phase, f"the interpreter died ({_signal_name(-returncode)}) while {doing}"
            )
        else:
            session = SessionFacts(
                phase, f"the process exited with status {returncode} while {doing}"
            )
    return RuntimeFacts.from_report(
        report,
        session=session,
        lists=result.lists,
        orphans=result.orphans if result.finished else None,
        stdout_bytes=capture.stdout_bytes,
        stdout_sample=capture.stdout_sample.decode("utf-8", "replace"),
        stderr_tail=capture.stderr_tail.decode("utf-8", "replace"),
        seconds=seconds,
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

"""Schedule probes: forked from a preloaded zygote where that is safe, else one fresh process each.

Both runners give the same RuntimeFacts (see zygote.py for how, and tests/test_zygote.py for the
proof); the zygote only saves re-importing fastmcp for every server. `runner="auto"` uses the
zygote on Linux and falls back to fresh processes (runner.run_probe) when it cannot start, dies, or
refuses a server; `ProbeInfo` says what happened, for `wagents validate --verbose`.
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from wagents.model import ProbeSummary
from wagents.probe.environment import PYTHON_FLAGS, probe_environment
from wagents.probe.fastmcp_models import Answers
from wagents.probe.protocol import RuntimeFacts, read_result
from wagents.probe.runner import (
    Capture,
    ProbeLimits,
    ProbeRequest,
    interpret,
    run_probe,
    sandboxed,
)

#: `--runner` choices.
RUNNERS = ("auto", "zygote", "process")
#: Seconds the zygote may take to import fastmcp before the validator gives up on it.
STARTUP_TIMEOUT = 60.0
#: Variables (prefixes) that preloaded modules read when they are imported: a probe whose
#: environment sets one runs in a fresh process (fastmcp's settings, `FASTMCP_*`).
PRELOAD_READS = ("FASTMCP_",)
#: Seconds beyond a probe's own timeout before a silent zygote is declared hung.
ANSWER_GRACE = 15.0


def default_jobs() -> int:
    """Probes at once by default: the CPUs this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def zygote_unsupported() -> str | None:
    """Why `runner="auto"` does not use the zygote here, or None when it does."""
    if os.name != "posix" or not hasattr(os, "fork"):
        return "this platform has no fork()"
    if not sys.platform.startswith("linux"):
        return f"the zygote runs on Linux only (this is {sys.platform})"
    return None


@dataclass
class ProbeInfo:
    """Which runner ran the probes, and why any ran in a fresh process instead (filled in while
    the probes run; `summary()` is the frozen value a report carries)."""

    runner: str = "none"  # "zygote", "process", or "none" (nothing to probe)
    jobs: int = 0  # probes at once
    reason: str | None = None  # why the zygote was not used, or stopped being used
    detail: str | None = None  # the zygote's pid, what it preloaded, how long that took
    fallbacks: dict[Path, str] = field(default_factory=dict)  # server dir -> why a fresh process

    def summary(self) -> ProbeSummary:
        return ProbeSummary(
            self.runner, self.jobs, self.reason, self.detail, tuple(sorted(self.fallbacks.items()))
        )


class _Unavailable(Exception):
    """The zygote cannot serve any more requests."""


class _Refused(Exception):
    """The zygote will not (or should not) probe this server; a fresh process will."""


class ZygoteClient:
    """The validator's end of one zygote (see zygote.py for the protocol): a process started for
    this run, or with `keep` (seconds), a session of the zygote kept between runs (kept.py).
    `servers` is about how many probes it will fork (it prepares differently for many)."""

    def __init__(self, keep: float = 0.0, servers: int = 0) -> None:
        self.process: subprocess.Popen[bytes] | None = None
        self._directory: str | None = None
        self._stderr: IO[bytes] | None = None
        if keep > 0:
            from wagents.probe.kept import connect

            connection = connect(keep)
            self._requests = os.dup(connection.fileno())
            self._responses_read = connection.detach()
        else:
            self._spawn(servers)
        self.hello: dict[str, Any] = {}
        self._ready = threading.Event()
        self._failure: str | None = None
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._waiting: dict[int, Future[dict[str, Any]]] = {}
        self._running: dict[int, int] = {}  # request id -> pid of its child (its process group)
        self._reader = threading.Thread(target=self._read, name="zygote-reader", daemon=True)
        self._reader.start()

    def _spawn(self, servers: int) -> None:
        requests_read, self._requests = os.pipe()
        self._responses_read, responses_write = os.pipe()
        self._directory = tempfile.mkdtemp(prefix="wagents-zygote-")
        # The zygote's own HOME (preloaded code may read it); each child gets its probe's.
        home = Path(self._directory) / "home"
        home.mkdir()
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - read when the zygote fails
        try:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    *PYTHON_FLAGS,
                    "-m",
                    "wagents.probe.zygote",
                    "--requests-fd",
                    str(requests_read),
                    "--responses-fd",
                    str(responses_write),
                    "--servers",
                    str(servers),
                ],
                cwd=home,  # empty: nothing there for preloaded code to read
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=self._stderr,
                env={**probe_environment(), "HOME": str(home), "TMPDIR": str(home)},
                pass_fds=(requests_read, responses_write),
                start_new_session=True,
            )
        except BaseException:
            os.close(self._requests)
            os.close(self._responses_read)
            self._stderr.close()
            shutil.rmtree(self._directory, ignore_errors=True)
            raise
        finally:
            os.close(requests_read)
            os.close(responses_write)

    def wait_ready(self) -> None:
        """Block until the zygote has preloaded; raise _Unavailable if it never will."""
        if not self._ready.wait(STARTUP_TIMEOUT):
            self._fail(f"it did not start within {STARTUP_TIMEOUT:g} s")
        if self._failure is not None:
            raise _Unavailable(self._failure)

    def probe(
        self, request: ProbeRequest, limits: ProbeLimits, env: dict[str, str]
    ) -> RuntimeFacts:
        """Run one probe in a forked child, with `env` on top of the probe environment;
        _Refused or _Unavailable when it cannot."""
        preread = sorted(name for name in env if name.startswith(PRELOAD_READS))
        if preread:
            # fastmcp's settings read these when fastmcp is imported: in the zygote, long ago.
            raise _Refused(f"its probe environment sets {', '.join(preread)}, read at import")
        self.wait_ready()
        request_id = next(self._ids)
        future: Future[dict[str, Any]] = Future()
        message = {
            "id": request_id,
            "server_dir": str(request.server_dir),
            "source": request.source,
            "entrypoint": request.entrypoint,
            "timeout": limits.timeout,
            "cpu_seconds": limits.cpu_seconds,
            "memory_bytes": limits.memory_bytes,
            "env": env,
        }
        with self._lock:
            if self._failure is not None:
                raise _Unavailable(self._failure)
            self._waiting[request_id] = future
            try:
                _write_all(self._requests, (json.dumps(message) + "\n").encode())
            except OSError as exc:
                del self._waiting[request_id]
                raise _Unavailable(f"it stopped reading requests ({exc})") from exc
        try:
            response = future.result(timeout=limits.timeout + ANSWER_GRACE)
        except FutureTimeout:
            self._fail(f"it did not answer within {limits.timeout + ANSWER_GRACE:g} s")
            raise _Unavailable(self._failure) from None
        except _Unavailable:
            raise
        if "fallback" in response:
            raise _Refused(str(response["fallback"]))
        capture = Capture(
            stdout_bytes=int(response["stdout_bytes"]),
            stdout_sample=base64.b64decode(response["stdout_sample"]),
            stderr_tail=base64.b64decode(response["stderr_tail"]),
            result=base64.b64decode(response["result"]),
            timed_out=bool(response["timed_out"]),
        )
        retry = _retry_reason(capture.result)
        if retry is not None:
            raise _Refused(f"a fresh process may differ: {retry}")
        return interpret(int(response["returncode"]), capture, limits, float(response["seconds"]))

    def fastmcp_config(self, texts: list[str]) -> Future[Answers]:
        """Ask the zygote what FastMCP's models say of fastmcp.json `texts` (see
        fastmcp_models.py); returns at once. The answer comes once it has preloaded; the future
        fails when it cannot answer (it failed, or it refused the question)."""
        request_id = next(self._ids)
        asked: Future[dict[str, Any]] = Future()
        answers: Future[Answers] = Future()

        def parse(done: Future[dict[str, Any]]) -> None:
            try:
                response = done.result()
                if "refused" in response:
                    raise _Refused(str(response["refused"]))
                answers.set_result(Answers.from_json(response["fastmcp_config"]))
            except Exception as exc:  # its failure, a refusal or a malformed answer
                answers.set_exception(exc)

        asked.add_done_callback(parse)
        message = {"id": request_id, "fastmcp_config": texts}
        with self._lock:
            if self._failure is not None:
                asked.set_exception(_Unavailable(self._failure))
                return answers
            self._waiting[request_id] = asked
            try:
                _write_all(self._requests, (json.dumps(message) + "\n").encode())
            except OSError as exc:
                del self._waiting[request_id]
                asked.set_exception(_Unavailable(f"it stopped reading requests ({exc})"))
        return answers

    def close(self) -> None:
        """Stop the zygote (a kept one: this run's session): end of requests kills its
        children; then make sure it is gone."""
        if self.process is None:
            with contextlib.suppress(OSError):
                requests = socket.socket(fileno=self._requests)
                requests.shutdown(socket.SHUT_WR)
                requests.close()
            self._reader.join(timeout=5)
            if self._reader.is_alive():
                self._kill()
        else:
            with contextlib.suppress(OSError):
                os.close(self._requests)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._kill()
                self.process.wait()
        self._reader.join(timeout=5)
        with self._lock:
            orphans = list(self._running.values())
        for pgid in orphans:  # the zygote died before killing them
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pgid, signal.SIGKILL)
        if self._stderr is not None:
            self._stderr.close()
        if self._directory is not None:
            shutil.rmtree(self._directory, ignore_errors=True)

    def _read(self) -> None:
        with os.fdopen(self._responses_read, "rb") as responses:
            for line in responses:
                try:
                    message = json.loads(line)
                except ValueError:
                    self._fail("it sent an unreadable message")
                    break
                if not self._ready.is_set():
                    self._hello(message)
                    continue
                self._dispatch(message)
        self._fail(self._exit_reason())

    def _hello(self, message: dict[str, Any]) -> None:
        self.hello = message
        if not message.get("ready"):
            self._fail(str(message.get("reason") or "it refused to start"))
        self._ready.set()

    def _dispatch(self, message: dict[str, Any]) -> None:
        request_id = message.get("id")
        if not isinstance(request_id, int):
            return  # not an answer to any request of ours
        with self._lock:
            if "started" in message:
                self._running[request_id] = int(message["started"])
                return
            self._running.pop(request_id, None)
            future = self._waiting.pop(request_id, None)
        if future is not None:
            future.set_result(message)

    def _fail(self, reason: str) -> None:
        """Mark the zygote unusable: every waiting probe falls back to a fresh process."""
        with self._lock:
            if self._failure is None:
                self._failure = reason
            waiting, self._waiting = self._waiting, {}
        self._ready.set()
        for future in waiting.values():
            if not future.done():
                future.set_exception(_Unavailable(self._failure))
        self._kill()

    def _kill(self) -> None:
        if self.process is None:  # a kept zygote's session: its own process group
            session = self.hello.get("pid")
            if isinstance(session, int) and self.hello.get("kept"):
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(session, signal.SIGKILL)
        elif self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signal.SIGKILL)

    def _exit_reason(self) -> str:
        if self.process is None or self._stderr is None:
            return "the kept zygote closed the connection"
        try:
            code = self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            return "it closed its responses pipe"
        tail = _tail(self._stderr)
        return f"it exited with status {code}" + (f": {tail}" if tail else "")


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _retry_reason(result: bytes) -> str | None:
    """Why a zygote child asks for a fresh interpreter, if it does."""
    report = read_result(result).report if result else None
    return report.retry if report is not None else None


def _tail(file: IO[bytes]) -> str:
    with contextlib.suppress(OSError, ValueError):
        file.seek(0)
        lines = file.read()[-2000:].decode("utf-8", "replace").strip().splitlines()
        return lines[-1] if lines else ""
    return ""


class Prober:
    """Runs probes `jobs` at a time in the background; `results()` yields them as they finish.

    Use as a context manager: leaving it stops the zygote and every probe still running.
    """

    def __init__(
        self,
        limits: ProbeLimits | None = None,
        jobs: int | None = None,
        runner: str = "auto",
        keep: float = 0.0,
    ) -> None:
        if runner not in RUNNERS:
            raise ValueError(f"unknown runner {runner!r}")
        self.limits = limits or ProbeLimits()
        self.jobs = max(1, jobs or default_jobs())
        self.runner = runner
        self.keep = keep  # seconds a kept zygote outlives the run (0: none is kept)
        self._not_kept: str | None = None
        self.info = ProbeInfo()
        self._zygote: ZygoteClient | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._futures: dict[Future[RuntimeFacts], ProbeRequest] = {}
        self._fallback_lock = threading.Lock()
        self._closing = False

    def __enter__(self) -> Prober:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def start(self, expected: int) -> None:
        """Start the runner for about `expected` probes now (the zygote preloads meanwhile)."""
        if self._pool is None and expected > 0:
            self._start(expected)

    def fastmcp_config(self, texts: Iterable[str]) -> Future[Answers] | None:
        """What the zygote will answer of fastmcp.json `texts` (see `ZygoteClient`); None when
        probes do not run forked from one (`start` first) or there is nothing to ask."""
        texts = sorted(set(texts))
        if self._zygote is None or not texts:
            return None
        return self._zygote.fastmcp_config(texts)

    def submit(self, requests: Iterable[ProbeRequest]) -> None:
        """Start probing `requests` (returns at once)."""
        pending = list(requests)
        if not pending:
            return
        if self._pool is None:
            self._start(len(pending))
        assert self._pool is not None
        for request in pending:
            self._futures[self._pool.submit(self._probe, request)] = request

    def results(self) -> Iterator[tuple[ProbeRequest, RuntimeFacts]]:
        """Every submitted probe's facts, in the order they finish."""
        if not self._futures:
            self.info = ProbeInfo()  # started for nothing: no server needed a probe
            return
        for future in as_completed(list(self._futures)):
            yield self._futures.pop(future), future.result()
        if self._zygote is not None and self._zygote.hello.get("ready"):
            hello = self._zygote.hello
            preloaded = f"{hello.get('modules')} modules preloaded in {hello.get('seconds')} s"
            huge = hello.get("huge_pages")
            if isinstance(huge, int) and huge > 0:
                preloaded += f", {huge >> 20} MB of them in huge pages"
            kept = hello.get("kept")
            if isinstance(kept, dict):
                self.info.detail = (
                    f"pid {hello.get('pid')}, connection {kept.get('session')} to the zygote "
                    f"kept by pid {kept.get('pid')}, up {kept.get('up')} s; {preloaded}"
                )
            else:
                not_kept = f"; not kept: {self._not_kept}" if self._not_kept else ""
                self.info.detail = f"pid {hello.get('pid')}, {preloaded}{not_kept}"

    def close(self) -> None:
        """Stop the zygote and every probe still running (again: nothing more to do)."""
        if self._closing:
            return
        self._closing = True  # probes cut short now must not start again in fresh processes
        if self._pool is not None:
            for future in self._futures:
                future.cancel()
        if self._zygote is not None:
            self._zygote.close()  # kills running children, so waiting threads get answers
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    def _start(self, count: int) -> None:
        reason = None
        if self.runner == "process":
            reason = "--runner process"
        elif self.runner == "auto":
            reason = zygote_unsupported()
        if reason is None and self.keep > 0:
            try:
                self._zygote = ZygoteClient(self.keep)
            except OSError as exc:
                self._not_kept = str(exc)
        if reason is None and self._zygote is None:
            try:
                self._zygote = ZygoteClient(servers=count)
            except OSError as exc:
                reason = f"it could not be started ({exc})"
        self.info.runner = "process" if reason else "zygote"
        self.info.reason = reason
        self.info.jobs = min(self.jobs, count)
        self._pool = ThreadPoolExecutor(max_workers=self.info.jobs, thread_name_prefix="probe")

    def _probe(self, request: ProbeRequest) -> RuntimeFacts:
        zygote = self._zygote
        if zygote is not None:
            try:
                return sandboxed(
                    request, lambda inside, env: zygote.probe(inside, self.limits, env)
                )
            except _Refused as refusal:
                with self._fallback_lock:
                    self.info.fallbacks[request.server_dir] = str(refusal)
            except _Unavailable as failure:
                if self._closing:
                    raise
                with self._fallback_lock:
                    if self.info.reason is None:
                        self.info.reason = f"the zygote failed: {failure}"
        return run_probe(request, self.limits)

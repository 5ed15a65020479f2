"""A preloaded probe parent (a "zygote"): imports fastmcp once, then forks one child per server.

`wagents validate` pays for importing fastmcp (most of a probe's time) once instead of once per
server. `wagents.probe.scheduler` starts `python -I -m wagents.probe.zygote` with the same
interpreter, flags and scrubbed environment as a plain probe (see runner.py), in an empty
directory. The zygote imports `PRELOAD`, then serves requests: for each server it forks a child
that isolates itself the way a fresh probe process is isolated and runs the very same code
(`child.report`):

- its own session and process group (a timeout kills the group), default signal dispositions;
- stdin from /dev/null, stdout and stderr on fresh pipes, no other inherited descriptor but the
  result pipe; `sys.argv` as the plain probe has it; the probe environment;
- the server directory as working directory and first on `sys.path`, rlimits.

A child starts from the zygote's memory, not from a fresh interpreter, so the zygote refuses the
servers for which that could show (the validator then runs them in a fresh process):

- a module or package beside the server module named like a preloaded one (in a fresh process
  it would shadow the installed one);
- a `.env` file in the server directory (fastmcp's settings read it when fastmcp is imported);

and a child marks its result for a re-run in a fresh process when the server changed something the
preloaded imports would have seen: `os.environ`, a `sys.path` entry shadowing a preloaded module,
or a preloaded module in `sys.modules`. Output written while preloading (none, normally) is added
in front of each child's own output, as a fresh process would have shown it.

Protocol (newline-delimited JSON on two pipes): the zygote first writes a hello
`{"ready": bool, "pid", "preloaded": [...], "seconds", "reason"?}`; then, for each request
`{"id", "server_dir", "source", "entrypoint", "timeout", "cpu_seconds", "memory_bytes"}`, it writes
`{"id", "started": pid}` once the child runs, then `{"id", "returncode", "timed_out", "seconds",
"stdout_bytes", "stdout_sample", "stderr_tail", "result"}` (bytes as base64), or
`{"id", "fallback": reason}` when the server must run in a fresh process. A request
`{"id", "fastmcp_config": [text, ...]}` (fastmcp.json objects as JSON) the zygote answers
itself: `{"id", "fastmcp_config": answers}` (`fastmcp_models.Answers.to_json`) or
`{"id", "refused": reason}`. End of the requests pipe stops it: running children are killed.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    import contextlib

from wagents.probe import child as probe
from wagents.probe.protocol import PROTOCOL_VERSION, RETRY_KEY, ChildReport

#: What every probe imports anyway: fastmcp, the inspection the probe runs, and the modules that
#: constructing a FastMCP server and its HTTP app import lazily.
PRELOAD = (
    "fastmcp",
    "fastmcp.utilities.inspect",
    "fastmcp.server.server",
    "fastmcp.apps.app",
    "fastmcp.server.middleware.dereference",
    "fastmcp.server.middleware.tool_injection",
    "fastmcp.server.providers.prefab_synthesis",
    "fastmcp.server.tasks.requests",
    "anyio._backends._asyncio",  # loaded by the first await of every probe
    "mcp.types",
    "pydantic",
    "starlette.requests",
    "starlette.responses",
)
#: Files in a server directory that preloaded code reads relative to the working directory.
CWD_INPUTS = (".env",)
#: What a child sends when the probe itself failed in it (written without json: see _child).
FAILED_IN_CHILD = (
    b'{"protocol": %d, "status": "no-result", "%s": "the probe failed in the forked child"}'
    % (PROTOCOL_VERSION, RETRY_KEY.encode())
)
#: Bytes of output written while preloading that are kept (a fresh probe would show it).
PRELOAD_OUTPUT_LIMIT = 1024 * 1024
#: Seconds between checks on children that are silent (the plain runner's select timeout).
TICK = 0.2
#: From how many expected servers the zygote moves its heap to huge pages (see _huge_pages):
#: the move (~0.15 s) pays for itself after about 40 children, which save ~3.5 ms each.
HUGE_PAGES_FROM = 48
#: madvise's advice to collapse a range into transparent huge pages (linux/mman-common.h).
_MADV_COLLAPSE = 25


def _top_level(names: Iterable[str]) -> set[str]:
    return {name.partition(".")[0] for name in names}


def main(argv: list[str] | None = None) -> None:
    # What a fresh probe has imported when it imports a server: what wagents.probe.child
    # imports. This module imports nothing else before this line.
    baseline = _top_level(list(sys.modules))
    parser = argparse.ArgumentParser(prog="python -m wagents.probe.zygote", description=__doc__)
    parser.add_argument("--requests-fd", type=int)
    parser.add_argument("--responses-fd", type=int)
    parser.add_argument("--keep", metavar="SOCKET", help="serve validators on this Unix socket")
    parser.add_argument("--idle", type=float, default=600.0, help="seconds kept without one")
    parser.add_argument("--ready-fd", type=int, help="where the kept zygote says it listens")
    parser.add_argument("--servers", type=int, default=0, help="how many probes are expected")
    args = parser.parse_args(argv)
    if args.keep:
        from wagents.probe.kept import serve_kept

        serve_kept(_Zygote(-1, -1, baseline, huge_pages=True), args.keep, args.idle, args.ready_fd)
    else:
        huge_pages = args.servers >= HUGE_PAGES_FROM
        _Zygote(args.requests_fd, args.responses_fd, baseline, huge_pages).run()


class _Child:
    """One forked probe: its pipes, what they delivered so far and its deadline."""

    def __init__(self, request_id: object, pid: int, deadline: float, started: float) -> None:
        from wagents.probe.runner import Capture

        self.request_id = request_id
        self.pid = pid
        self.deadline = deadline
        self.started = started
        self.capture = Capture()
        self.fds: dict[int, str] = {}


class _Zygote:
    def __init__(
        self, requests_fd: int, responses_fd: int, baseline: set[str], huge_pages: bool = False
    ) -> None:
        self.requests_fd = requests_fd
        self.responses_fd = responses_fd
        self.baseline = baseline
        self.huge_pages = huge_pages
        self.children: dict[int, _Child] = {}
        self.preload_stdout = b""
        self.preload_stderr = b""

    # -- start ---------------------------------------------------------------------------------

    def run(self) -> None:
        """Preload, say hello, then serve the requests pipe until it ends."""
        hello = self.prepare()
        self._send(hello)
        if hello["ready"]:
            self._serve()

    def serve_connection(self, connection: int, hello: dict[str, Any]) -> None:
        """Serve one validator on `connection` (a socket) as `run` serves the pipes: hello,
        then its requests until it closes its end."""
        self.requests_fd = self.responses_fd = connection
        self._send(hello)
        self._serve()

    def prepare(self) -> dict[str, Any]:
        """Import PRELOAD and record the state children are put back in; the hello to send."""
        import gc
        import time

        started = time.monotonic()
        gc.disable()  # what preloading builds lives on: collecting it is wasted (and copied)
        reason = self._preload()
        # What the zygote itself uses from here on counts as preloaded too: a server's module of
        # the same name would shadow it in a fresh process.
        import base64  # noqa: F401
        import contextlib
        import importlib.machinery  # noqa: F401
        import selectors  # noqa: F401
        import signal
        import threading  # noqa: F401

        import wagents.probe.fastmcp_models
        import wagents.probe.runner  # noqa: F401
        from wagents.probe import proctree

        # What every child's probe loads before the server's import (child.report), loaded once.
        with contextlib.suppress(OSError, AttributeError):
            proctree.prctl()
        import resource  # noqa: F401

        # What a fresh probe has once fastmcp is imported; children are put back in this state.
        self.signals = {
            number: signal.getsignal(number)
            for number in signal.valid_signals()
            if number not in (signal.SIGKILL, signal.SIGSTOP)
        }
        self.conflicts = sorted(_top_level(list(sys.modules)) - self.baseline - {"__main__"})
        self.environ = dict(os.environ)
        self.sys_path = list(sys.path)
        # Children compare against this one copy: copying sys.modules in each child would
        # touch (and so copy) the page of every preloaded module object and name.
        self.preloaded = dict(sys.modules)
        threads = _thread_count()
        if reason is None and threads > 1:
            reason = f"preloading started {threads - 1} thread(s); forking would be unsafe"
        # Children never scan (and copy) the preloaded objects. What preloading left as garbage
        # is frozen too: a few thousand objects, where collecting them first took 0.1 s.
        gc.freeze()
        gc.enable()
        huge = _huge_pages() if reason is None and self.huge_pages else 0
        return {
            "ready": reason is None,
            "reason": reason,
            "pid": os.getpid(),
            "preloaded": [name for name in PRELOAD if name in sys.modules],
            "modules": len(sys.modules),
            "huge_pages": huge,
            "seconds": round(time.monotonic() - started, 3),
        }

    def _preload(self) -> str | None:
        """Import PRELOAD with stdout and stderr captured; a reason when the zygote is unusable."""
        import importlib
        import tempfile

        saved = (os.dup(1), os.dup(2))
        files = (tempfile.TemporaryFile(), tempfile.TemporaryFile())  # noqa: SIM115
        reason = None
        try:
            _flush_std_streams()
            os.dup2(files[0].fileno(), 1)
            os.dup2(files[1].fileno(), 2)
            for name in PRELOAD:
                try:
                    importlib.import_module(name)
                except ModuleNotFoundError as exc:
                    missing = exc.name or ""
                    if name == missing or name.startswith(missing + "."):
                        continue  # not installed: each probe then reports it as a fresh one would
                    reason = f"preloading {name} failed: {exc}"
                    break
                except BaseException as exc:
                    reason = f"preloading {name} failed: {type(exc).__name__}: {exc}"
                    break
            if reason is None:
                _warm_up()
        finally:
            _flush_std_streams()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for fd in saved:
                os.close(fd)
        output = []
        for file in files:
            file.seek(0)
            output.append(file.read(PRELOAD_OUTPUT_LIMIT))
            file.close()
        self.preload_stdout, self.preload_stderr = output
        return reason

    # -- serve ---------------------------------------------------------------------------------

    def _serve(self) -> None:
        import selectors
        import time

        selector = selectors.DefaultSelector()
        self.selector = selector
        selector.register(self.requests_fd, selectors.EVENT_READ, None)
        pending = b""
        try:
            while True:
                timeout = None
                if self.children:
                    nearest = min(child.deadline for child in self.children.values())
                    timeout = max(0.0, min(TICK, nearest - time.monotonic()))
                events = selector.select(timeout)
                active: set[int] = set()
                for key, _ in events:
                    if key.data is None:
                        chunk = os.read(self.requests_fd, 65536)
                        if not chunk:
                            return  # the validator is done (or gone)
                        pending += chunk
                        while b"\n" in pending:
                            line, pending = pending.split(b"\n", 1)
                            self._start(json.loads(line))
                        continue
                    child, stream = key.data
                    active.add(child.pid)
                    self._read(child, key.fd, stream)
                self._check_children(active)
        finally:
            from wagents.probe.runner import kill_all

            for child in list(self.children.values()):
                kill_all(child.pid)
                _reap(child.pid)

    def _read(self, child: _Child, fd: int, stream: str) -> None:
        """Read one chunk of a child's readable pipe; at end of file, close the pipe."""
        from wagents.probe.runner import keep_output

        chunk = os.read(fd, 65536)
        if chunk:
            keep_output(child.capture, stream, chunk)
            return
        self.selector.unregister(fd)
        os.close(fd)
        del child.fds[fd]

    def _check_children(self, active: set[int]) -> None:
        import time

        now = time.monotonic()
        for child in list(self.children.values()):
            if not child.fds:
                self._finish(child)
            elif now >= child.deadline:
                child.capture.timed_out = not _has_exited(child.pid)
                self._finish(child)
            elif child.pid not in active and _has_exited(child.pid):
                # The child is gone but something it left behind holds the pipes open: take what
                # it wrote (it may have raced with the select) and stop.
                from wagents.probe.runner import drain, keep_output

                for fd, stream in list(child.fds.items()):
                    for chunk in drain(fd):
                        keep_output(child.capture, stream, chunk)
                self._finish(child)

    def _finish(self, child: _Child) -> None:
        import base64
        import time

        from wagents.probe.runner import kill_all

        kill_all(child.pid)  # its group, and daemons that left it (the child is a subreaper)
        returncode = _reap(child.pid)
        for fd in list(child.fds):
            self.selector.unregister(fd)
            os.close(fd)
        del self.children[child.pid]
        capture = child.capture
        self._send(
            {
                "id": child.request_id,
                "returncode": returncode,
                "timed_out": capture.timed_out,
                "seconds": round(time.monotonic() - child.started, 3),
                "stdout_bytes": capture.stdout_bytes,
                "stdout_sample": base64.b64encode(capture.stdout_sample).decode(),
                "stderr_tail": base64.b64encode(capture.stderr_tail).decode(),
                "result": base64.b64encode(capture.result).decode(),
            }
        )

    def _start(self, request: dict[str, Any]) -> None:
        import selectors
        import time

        from wagents.probe.runner import keep_output

        request_id = request.get("id")
        if "fastmcp_config" in request:
            self._answer_fastmcp_config(request_id, request["fastmcp_config"])
            return
        try:
            server_dir = Path(request["server_dir"])
            search_dir = str((server_dir / request["source"]).resolve().parent)
            timeout = float(request["timeout"])
            reason = self._refusal(server_dir, search_dir)
        except (KeyError, TypeError, ValueError, OSError) as exc:
            reason = f"unreadable request: {exc!r}"
        if reason is not None:
            self._send({"id": request_id, "fallback": reason})
            return
        pipes = [os.pipe() for _ in range(3)]  # stdout, stderr, result
        _flush_std_streams()
        started = time.monotonic()
        try:
            pid = os.fork()
        except OSError as exc:
            for read_end, write_end in pipes:
                os.close(read_end)
                os.close(write_end)
            self._send({"id": request_id, "fallback": f"fork failed: {exc}"})
            return
        if pid == 0:
            self._child(request, server_dir, search_dir, [write for _, write in pipes])
        for _, write_end in pipes:
            os.close(write_end)
        child = _Child(request_id, pid, started + timeout, started)
        # What a fresh interpreter would have printed while importing what is preloaded.
        if self.preload_stdout:
            keep_output(child.capture, "stdout", self.preload_stdout)
        if self.preload_stderr:
            keep_output(child.capture, "stderr", self.preload_stderr)
        for (read_end, _), stream in zip(pipes, ("stdout", "stderr", "result"), strict=True):
            child.fds[read_end] = stream
            self.selector.register(read_end, selectors.EVENT_READ, (child, stream))
        self.children[pid] = child
        self._send({"id": request_id, "started": pid})

    def _answer_fastmcp_config(self, request_id: object, texts: object) -> None:
        """Say what FastMCP's models say of fastmcp.json texts, here: that is data, and the
        zygote runs no server code."""
        from wagents.probe.fastmcp_models import answer

        try:
            if not isinstance(texts, list):
                raise TypeError(f"not a list of texts: {texts!r}")
            answers = answer([str(text) for text in texts]).to_json()
        except Exception as exc:  # the validator then asks the models itself
            self._send({"id": request_id, "refused": f"{type(exc).__name__}: {exc}"})
            return
        self._send({"id": request_id, "fastmcp_config": answers})

    def _refusal(self, server_dir: Path, search_dir: str) -> str | None:
        """Why a fresh process could see this server differently from a child, if it could."""
        for name in CWD_INPUTS:
            if (server_dir / name).exists():
                return f"it has a {name} file, which importing fastmcp reads"
        shadowing = _shadowing(search_dir, self.conflicts)
        if shadowing:
            return f"its {shadowing} would shadow a module the zygote preloads"
        return None

    def _send(self, message: dict[str, Any]) -> None:
        data = (json.dumps(message) + "\n").encode()
        view = memoryview(data)
        while view:
            view = view[os.write(self.responses_fd, view) :]

    # -- in the child --------------------------------------------------------------------------

    def _child(
        self, request: dict[str, Any], server_dir: Path, search_dir: str, pipes: list[int]
    ) -> NoReturn:
        try:
            import importlib
            import signal

            os.setsid()
            for number, handler in self.signals.items():
                if handler is not None and signal.getsignal(number) is not handler:
                    signal.signal(number, handler)
            signal.pthread_sigmask(signal.SIG_SETMASK, set())
            stdout, stderr, result = pipes
            devnull = os.open(os.devnull, os.O_RDONLY)
            os.dup2(devnull, 0)
            os.dup2(stdout, 1)
            os.dup2(stderr, 2)
            os.closerange(3, result)
            os.closerange(result + 1, _max_fd())
            # The probe's own variables (its sandbox's HOME, TMPDIR, probe-env) on top of what
            # the zygote preloaded with; from here on they are what the server may not change.
            extra = request.get("env") or {}
            self.environ = {**self.environ, **{str(k): str(v) for k, v in extra.items()}}
            if dict(os.environ) != self.environ:
                os.environ.clear()
                os.environ.update(self.environ)
            _rehome()
            source, entrypoint = request["source"], request.get("entrypoint")
            cpu_seconds, memory_bytes = request.get("cpu_seconds"), request.get("memory_bytes")
            sys.argv = [
                str(Path(probe.__file__)),
                *probe.arguments(server_dir, source, entrypoint, result, cpu_seconds, memory_bytes),
            ]
            if len(sys.modules) != len(self.preloaded):  # the zygote imported more since
                for name in [name for name in sys.modules if name not in self.preloaded]:
                    del sys.modules[name]
            importlib.invalidate_caches()

            def amend(facts: ChildReport) -> ChildReport:
                reasons = self._changes(search_dir, self.preloaded)
                if not reasons:
                    return facts
                return dataclasses.replace(facts, retry="; ".join(reasons))

            probe.report(result, server_dir, source, entrypoint, cpu_seconds, memory_bytes, amend)
        except BaseException:
            # The probe machinery itself failed here (the server broke json, os or sys): a fresh
            # interpreter would fail its own way, so ask for one. No json: it may be what broke.
            with _suppress():
                os.write(pipes[2], FAILED_IN_CHILD)
        os._exit(0)

    def _changes(self, search_dir: str, modules: dict[str, Any]) -> list[str]:
        """What the server changed that preloaded imports would have seen in a fresh process."""
        reasons = []
        if dict(os.environ) != self.environ:
            reasons.append("it changed os.environ")
        for entry in sys.path:
            if entry in self.sys_path or entry == search_dir:
                continue
            shadowing = _shadowing(entry, self.conflicts)
            if shadowing:
                reasons.append(f"it put {entry} on sys.path, whose {shadowing} shadows a module")
                break
        for name, module in modules.items():
            if sys.modules.get(name) is not module:
                reasons.append(f"it replaced the preloaded module {name}")
                break
        return reasons


def _shadowing(directory: str, conflicts: list[str]) -> str | None:
    """The entry of `directory` that `import NAME` would find for a preloaded NAME, if any."""
    import importlib.machinery

    suffixes = importlib.machinery.all_suffixes()
    wanted = set(conflicts)
    try:
        entries = list(os.scandir(directory or "."))
    except OSError:
        return None
    for entry in sorted(entries, key=lambda item: item.name):
        name = entry.name
        module = None
        try:
            if entry.is_dir():
                if any(Path(entry.path, "__init__" + suffix).exists() for suffix in suffixes):
                    module = name
            else:
                module = next(
                    (name[: -len(suffix)] for suffix in suffixes if name.endswith(suffix)), None
                )
        except OSError:
            continue
        if module in wanted:
            return name
    return None


def _thread_count() -> int:
    try:
        return sum(1 for _ in Path("/proc/self/task").iterdir())
    except OSError:
        import threading

        return threading.active_count()


def _max_fd() -> int:
    try:
        return os.sysconf("SC_OPEN_MAX")
    except (ValueError, OSError):
        return 65536


def _has_exited(pid: int) -> bool:
    """Whether the child has exited, without reaping it (its pid keeps naming its group)."""
    try:
        return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
    except ChildProcessError:
        return True


def _reap(pid: int) -> int:
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        return -9
    return os.waitstatus_to_exitcode(status)


def _warm_up() -> None:
    """Hold one MCP session with a throwaway server, as each probe will with its own.

    The first session of a process builds what FastMCP and pydantic build lazily (validators,
    schemas, the in-memory transport); paid once here, every child starts from it warm (about
    3 ms a session instead of 30). A failure only loses the head start.
    """
    import asyncio
    import contextlib

    async def session() -> None:
        from fastmcp import Client, FastMCP

        server: FastMCP[Any] = FastMCP("wagents-warm-up")

        def echo(text: str) -> str:
            return text

        server.tool(echo)

        async with Client(server) as client:
            await client.list_tools_mcp()
            await client.list_resources_mcp()
            await client.list_resource_templates_mcp()
            await client.list_prompts_mcp()
            await client.ping()

    with contextlib.suppress(Exception):
        asyncio.run(session())


def _huge_pages() -> int:
    """Move the zygote's private, writable memory to transparent huge pages; the bytes moved.

    Each fork copies the page table entries of every private page, and each child's exit tears
    its copies down: about 18,000 entries for the ~70 MB of objects a zygote holds once fastmcp
    is imported, 4 ms of the zygote's time and 5 ms of each child's before it did any work. Once
    that memory is in 2 MB pages, a fork copies one entry per 2 MB, and a child's first write to
    one of them splits that one mapping and copies the 4 kB page written, as before. Children see
    the same memory either way: only the cost changes. A fork and exit that do nothing else
    went from about 10 ms to 3 ms; a child that imports a server and holds its session writes to
    much of that memory anyway, and a whole cold run of 100 servers took about 3% less CPU and
    wall time (paired runs, bench/README.md), the move itself (~0.15 s) included.

    Linux's `madvise(MADV_COLLAPSE)` (6.1 and later) does the move at once, whatever the system's
    transparent huge page mode is (man 2 madvise). Where the kernel refuses it (older kernels,
    huge pages disabled, too little free memory), nothing changes but the cost.
    """
    import ctypes

    size = 2 << 20
    madvise = ctypes.CDLL(None, use_errno=True).madvise
    madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    moved = 0
    try:
        regions = [line.split() for line in Path("/proc/self/maps").read_text().splitlines()]
    except OSError:
        return 0
    for fields in regions:
        # "start-end perms offset dev inode [path]": the heap and anonymous mappings only.
        if fields[1][:2] != "rw" or (len(fields) > 5 and fields[5] != "[heap]"):
            continue
        start, end = (int(bound, 16) for bound in fields[0].split("-"))
        start = -(-start // size) * size
        end = end // size * size
        if end > start and madvise(start, end - start, _MADV_COLLAPSE) == 0:
            moved += end - start
    return moved


def _rehome() -> None:
    """Point what preloaded code derived from HOME at the child's HOME, as a fresh interpreter
    importing fastmcp with this environment would have it (`fastmcp.settings.home`)."""
    fastmcp = sys.modules.get("fastmcp")
    if fastmcp is None:
        return
    from platformdirs import user_data_dir

    with _suppress():
        fastmcp.settings.home = Path(user_data_dir("fastmcp", appauthor=False))


def _flush_std_streams() -> None:
    for stream in (sys.stdout, sys.stderr):
        with _suppress():
            stream.flush()


def _suppress() -> contextlib.suppress:  # contextlib: already imported by wagents.probe.child
    import contextlib

    return contextlib.suppress(OSError, ValueError, AttributeError)


if __name__ == "__main__":
    main()

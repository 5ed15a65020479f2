"""A zygote kept between runs: `[tool.wagents] keep-zygote = SECONDS` in the root pyproject.

A zygote costs each `wagents validate` that probes anything a second or more of importing fastmcp.
With `keep-zygote`, the first run starts one that outlives it, and the runs after it connect to
that one instead, until it has been idle (no validator connected) for that many seconds.

- **Where**: a Unix socket in a directory of this user only (`$XDG_RUNTIME_DIR/wagents`, else
  `wagents-UID` in the temporary directory; mode 0700 and owned by this user, or nothing is
  kept), named by a key of what the preloaded code depends on: the interpreter, the probe
  environment, the directories on `sys.path` (their mtimes change when packages are installed or
  removed) and wagents' own source. A run whose key differs starts its own zygote; the old one
  idles out. Editing an installed package's files in place is not seen: `--no-cache` (which never
  uses a kept zygote) or stopping it (`kill` the pid `--verbose` shows) starts afresh.
- **What it serves**: for each connection it forks a *session* (its own process group) that
  serves that validator exactly as a zygote started for the run serves its pipes (zygote.py),
  so the servers' children are forked from the same preloaded state. Only this user may
  connect (the directory's mode, and the peer's uid checked on every connection).
- **What it holds**: fastmcp and wagents' probe code, preloaded, and its own temporary HOME in the
  socket's directory, removed when it stops (SIGTERM stops it the same way). It never imports a
  server: children do, and each ends with its probe.

It is Linux only, as the zygote is. It is no security boundary, and needs none: a server's probe
runs as the user who validates, as it always has, so it could reach the socket as it could reach
the workspace's result cache.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import select
import signal
import socket
import struct
import sys
import time
from pathlib import Path
from typing import Any, Protocol

from wagents.probe import proctree
from wagents.probe.environment import PYTHON_FLAGS, probe_environment
from wagents.workspace import distributions

#: Seconds a new kept zygote may take to preload before the validator uses a zygote of its own.
STARTUP_TIMEOUT = 60.0
#: Seconds between the kept zygote's checks on its sessions.
TICK = 0.5
#: Bytes a Unix socket's path may have on Linux (sun_path, with its terminating NUL).
SOCKET_PATH_LIMIT = 108


class Zygote(Protocol):
    """What the kept zygote needs of zygote.py's: preloading, and serving one connection."""

    def prepare(self) -> dict[str, Any]: ...

    def serve_connection(self, connection: int, hello: dict[str, Any]) -> None: ...


def runtime_directory() -> Path:
    """This user's directory for kept zygotes, created if needed; OSError when it is not safe
    (another owner, or others may enter it)."""
    base = os.environ.get("XDG_RUNTIME_DIR")
    if base and Path(base).is_dir():
        directory = Path(base) / "wagents"
    else:
        import tempfile

        directory = Path(tempfile.gettempdir()) / f"wagents-{os.getuid()}"
    with contextlib.suppress(FileExistsError):
        directory.mkdir(mode=0o700)
    status = directory.lstat()
    if status.st_uid != os.getuid() or status.st_mode & 0o077 or not directory.is_dir():
        raise OSError(f"{directory} is not a private directory of this user")
    return directory


def zygote_key() -> str:
    """What the preloaded code depends on, hashed: a kept zygote serves only runs with its key."""
    digest = hashlib.sha256()
    environment = {k: v for k, v in probe_environment().items() if k not in ("HOME", "TMPDIR")}
    digest.update(json.dumps([sys.executable, sys.version, sorted(environment.items())]).encode())
    digest.update(distributions.installed_digest().encode())
    source = Path(__file__).resolve().parents[1]  # the wagents package
    for path in sorted(source.rglob("*.py")):
        with contextlib.suppress(OSError):
            status = path.stat()
            digest.update(f"{path}\0{status.st_mtime_ns}\0{status.st_size}\0".encode())
    return digest.hexdigest()[:20]


def connect(idle: float) -> socket.socket:
    """A connection to the kept zygote of this run's key, started (kept `idle` seconds) if none
    runs; OSError when there cannot be one."""
    if not sys.platform.startswith("linux"):
        raise OSError("a kept zygote needs Linux")
    directory = runtime_directory()
    path = directory / f"zygote-{zygote_key()}.sock"
    if len(os.fsencode(path)) >= SOCKET_PATH_LIMIT:
        raise OSError(f"{path} is too long for a Unix socket")
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while True:
        try:
            return _connect(path)
        except OSError:
            if time.monotonic() > deadline:
                raise
        if _unclaimed(path):  # no kept zygote holds the key: start one
            hello = _start(path, idle)
            if not hello.get("ready") and not hello.get("elsewhere"):
                raise OSError(str(hello.get("reason") or "the kept zygote did not start"))
        else:  # one holds it: it is still preloading, or serving the last runs before it stops
            time.sleep(0.05)


def _unclaimed(path: Path) -> bool:
    """Whether no kept zygote holds the lock of `path`'s key."""
    import fcntl

    with path.with_suffix(".lock").open("a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(lock, fcntl.LOCK_UN)
        return True


def _connect(path: Path) -> socket.socket:
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.connect(str(path))
    except OSError:
        connection.close()
        raise
    return connection


def _start(path: Path, idle: float) -> dict[str, Any]:
    """Start a kept zygote for `path` (its own session, outliving this process); its hello."""
    ready_read, ready_write = os.pipe()
    os.set_inheritable(ready_write, True)
    devnull = os.devnull
    try:
        pid = os.posix_spawn(
            sys.executable,
            [
                sys.executable,
                *PYTHON_FLAGS,
                "-m",
                "wagents.probe.zygote",
                "--keep",
                str(path),
                "--idle",
                str(idle),
                "--ready-fd",
                str(ready_write),
            ],
            probe_environment(),
            file_actions=[
                (os.POSIX_SPAWN_OPEN, 0, devnull, os.O_RDONLY, 0),
                (os.POSIX_SPAWN_OPEN, 1, devnull, os.O_WRONLY, 0),
                (os.POSIX_SPAWN_OPEN, 2, devnull, os.O_WRONLY, 0),
            ],
            setsid=True,
        )
    finally:
        os.close(ready_write)
    proctree.spare(pid)  # it outlives this run: the run's sweep of its descendants skips it
    try:
        ready, _, _ = select.select([ready_read], [], [], STARTUP_TIMEOUT)
        line = os.read(ready_read, 65536) if ready else b""
    finally:
        os.close(ready_read)
    try:
        hello: dict[str, Any] = json.loads(line)
    except ValueError:
        return {"ready": False, "reason": "it did not say it was ready"}
    return hello


def serve_kept(zygote: Zygote, path: str, idle: float, ready_fd: int | None) -> None:
    """The kept zygote's life: take the key's lock, preload, listen on `path`, fork a session for
    each validator that connects, and stop after `idle` seconds without any."""
    import fcntl
    import shutil
    import tempfile

    socket_path = Path(path)
    home = tempfile.mkdtemp(prefix="home-", dir=socket_path.parent)
    os.environ["HOME"] = os.environ["TMPDIR"] = home
    os.chdir(home)
    lock = socket_path.with_suffix(".lock").open("w")  # held for the zygote's life
    listener: socket.socket | None = None
    try:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            _tell(ready_fd, {"ready": False, "elsewhere": True})
            return
        started = time.monotonic()
        hello = zygote.prepare()
        if not hello["ready"]:
            _tell(ready_fd, hello)
            return
        # After preloading: children are put back in the signal state preloading left.
        signal.signal(signal.SIGTERM, _stop)
        try:
            with contextlib.suppress(FileNotFoundError):
                socket_path.unlink()  # a kept zygote that was killed left it
            listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            listener.bind(str(socket_path))
            listener.listen(16)
        except OSError as exc:
            _tell(ready_fd, {"ready": False, "reason": f"cannot listen on {socket_path}: {exc}"})
            return
        _tell(ready_fd, hello)
        _accept_until_idle(zygote, listener, socket_path, lock.fileno(), hello, idle, started)
    finally:
        if listener is not None:
            listener.close()
            with contextlib.suppress(OSError):
                socket_path.unlink()
        lock.close()
        shutil.rmtree(home, ignore_errors=True)


def _accept_until_idle(
    zygote: Zygote,
    listener: socket.socket,
    path: Path,
    lock: int,
    hello: dict[str, Any],
    idle: float,
    started: float,
) -> None:
    """Fork a session for each validator that connects; after `idle` seconds without one, unlink
    the socket (no new validator finds it), serve those already waiting, and return."""
    sessions: set[int] = set()
    served = 0
    idle_since = time.monotonic()
    stopping = False
    while True:
        for pid in list(sessions):
            with contextlib.suppress(ChildProcessError):
                if os.waitpid(pid, os.WNOHANG)[0] == pid:
                    sessions.discard(pid)
            if not sessions:
                idle_since = time.monotonic()
        now = time.monotonic()
        if not stopping and not sessions and now - idle_since >= idle:
            stopping = True
            with contextlib.suppress(OSError):
                path.unlink()
        if stopping:
            wait = TICK if sessions else 0.0
        else:
            wait = TICK if sessions else max(0.0, idle - (now - idle_since))
        ready, _, _ = select.select([listener], [], [], wait)
        if not ready:
            if stopping and not sessions:
                return
            continue
        connection, _ = listener.accept()
        if _peer_uid(connection) != os.getuid():
            connection.close()
            continue
        served += 1
        pid = os.fork()
        if pid == 0:  # the session: serves this validator, then ends without unwinding
            try:
                listener.close()
                os.close(lock)  # the key's lock is the kept zygote's alone
                os.setsid()  # its own group: the validator may kill it
                session = {
                    **hello,
                    "pid": os.getpid(),
                    "kept": {
                        "pid": os.getppid(),
                        "up": round(time.monotonic() - started, 1),
                        "session": served,
                    },
                }
                zygote.serve_connection(connection.fileno(), session)
            finally:
                os._exit(0)
        connection.close()
        sessions.add(pid)


def _stop(number: int, frame: object) -> None:
    raise SystemExit(128 + number)  # the kept zygote's cleanup runs; a session ends the same way


def _peer_uid(connection: socket.socket) -> int | None:
    try:
        credentials = connection.getsockopt(
            socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i")
        )
    except OSError:
        return None
    return int(struct.unpack("3i", credentials)[1])


def _tell(fd: int | None, message: dict[str, Any]) -> None:
    if fd is None:
        return
    with contextlib.suppress(OSError):
        os.write(fd, (json.dumps(message) + "\n").encode())
        os.close(fd)

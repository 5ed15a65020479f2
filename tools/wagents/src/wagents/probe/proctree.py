"""Find and kill the processes a probe left behind, including those that left its process group.

Killing a probe's process group catches what a server started at import, unless a child called
`setsid()` (a daemon). A process that is a *child subreaper* (Linux `PR_SET_CHILD_SUBREAPER`)
inherits such orphans instead of init, so they stay among its descendants, where `kill_tree`
finds them. Elsewhere these functions fall back to what the platform offers (the group kill).
"""

from __future__ import annotations

import contextlib
import functools
import os
import signal
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

_PROC = Path("/proc")
_PR_SET_CHILD_SUBREAPER = 36
#: Processes this one started to outlive it (a kept zygote): never counted among its
#: descendants, so that `reaping()` leaves them and what runs under them alone.
_SPARED: set[int] = set()


def spare(pid: int) -> None:
    """Leave `pid` and its descendants out of `descendants()` in this process from now on."""
    _SPARED.add(pid)


def become_subreaper() -> bool:
    """Make orphaned descendants of this process its children (Linux); False where unsupported."""
    try:
        return bool(prctl()(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0)
    except (OSError, AttributeError):
        return False


@functools.cache
def prctl() -> Any:
    """libc's `prctl`, loaded once per process (the zygote loads it for all its children)."""
    import ctypes

    return ctypes.CDLL(None, use_errno=True).prctl


def _stat_fields(path: Path) -> list[str] | None:
    """The fields of a /proc/PID/stat file after the command name (state, parent pid, ...);
    None when it cannot be read (the process exited while we looked)."""
    try:
        text = path.read_text()
    except OSError:
        return None
    # "pid (comm) state ppid ...": comm may hold spaces and parentheses.
    return text.rpartition(")")[2].split()


def _parents() -> dict[int, int]:
    """pid → parent pid of every living process (zombies left out; empty without /proc)."""
    parents = {}
    with contextlib.suppress(OSError):
        for entry in os.scandir(_PROC):
            if not entry.name.isdigit():
                continue
            fields = _stat_fields(Path(entry.path, "stat"))
            if fields is not None and len(fields) > 1 and fields[0] not in ("Z", "X"):
                parents[int(entry.name)] = int(fields[1])
    return parents


def descendants(pid: int) -> list[int]:
    """Every living descendant of `pid` (children first, then theirs), from /proc.

    Linux lists each task's children in /proc/PID/task/TID/children: following those costs a few
    reads, where a scan of every process of the machine costs milliseconds (and grows with the
    machine's load). Without that file, the scan it is.
    """
    direct = _children(pid)
    if direct is None:
        return _descendants_by_scan(pid)
    return _walk(pid, direct, lambda current: _children(current) or [], _alive)


def _walk(
    pid: int,
    direct: list[int],
    children_of: Callable[[int], list[int]],
    alive: Callable[[int], bool] = lambda _: True,
) -> list[int]:
    """The descendants of `pid` that are `alive`, breadth first from its `direct` children
    (a dead one's children are still followed: orphans of a zombie)."""
    found: list[int] = []
    queue = list(direct)
    while queue:
        current = queue.pop(0)
        if current in found or current == pid or current in _SPARED:
            continue
        if alive(current):
            found.append(current)
        queue.extend(children_of(current))
    return found


def _children(pid: int) -> list[int] | None:
    """The children of every thread of `pid` ([] when it is gone; None when this kernel does
    not list children)."""
    try:
        tasks = list(os.scandir(_PROC / str(pid) / "task"))
    except FileNotFoundError:
        return []
    except OSError:
        return None
    found: list[int] = []
    listed = False
    for task in tasks:
        try:
            text = Path(task.path, "children").read_text()
        except OSError:
            continue  # the thread ended meanwhile (or the kernel has no such file)
        listed = True
        found += [int(word) for word in text.split()]
    return found if listed or not tasks else None


def _alive(pid: int) -> bool:
    """Whether `pid` runs (zombies and dead processes run no code)."""
    fields = _stat_fields(Path(_PROC, str(pid), "stat"))
    return fields is not None and bool(fields) and fields[0] not in ("Z", "X")


def _descendants_by_scan(pid: int) -> list[int]:
    """descendants() from a scan of every process (kernels without the children lists)."""
    children: dict[int, list[int]] = {}
    for child, parent in _parents().items():
        children.setdefault(parent, []).append(child)
    return _walk(pid, children.get(pid, []), lambda current: children.get(current, []))


def kill_descendants(pid: int, rounds: int = 10) -> int:
    """SIGKILL every descendant of `pid` (repeating while new ones appear); how many were seen.

    `pid` must still be alive or an unreaped zombie, so that it cannot have been reused.
    """
    seen: set[int] = set()
    for _ in range(rounds):
        found = [child for child in descendants(pid) if child not in seen]
        if not found:
            break
        for child in found:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(child, signal.SIGKILL)
        seen.update(found)
    return len(seen)


def reap_children() -> None:
    """Collect the exit status of every finished child (inherited orphans included)."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


@contextlib.contextmanager
def reaping() -> Iterator[None]:
    """Adopt the orphans of what runs inside (`become_subreaper`); when it ends, kill every
    descendant left and collect their exit statuses."""
    become_subreaper()
    try:
        yield
    finally:
        kill_descendants(os.getpid())
        reap_children()

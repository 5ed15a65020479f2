"""Crash-safe file operations: atomic writes, atomic directory moves and an advisory lock."""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


def atomic_write(path: Path, data: bytes | str, *, durable: bool = True) -> None:
    """Replace `path` with `data` so that a reader sees the old content or the new, never a mix.

    Writes a temporary file in the same directory, fsyncs it, renames it over `path` and fsyncs the
    directory. The file keeps the permission bits of the file it replaces; through a symlink,
    the link's target is replaced and the link kept. `durable=False` skips the fsyncs (for
    caches: still atomic, but a power cut may lose or truncate the file).
    """
    payload = data.encode() if isinstance(data, str) else data
    path = Path(os.path.realpath(path))  # through a symlink: replace the file, keep the link
    directory = path.parent
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as tmp:
            tmp.write(payload)
            tmp.flush()
            if durable:
                os.fsync(tmp.fileno())
        with contextlib.suppress(FileNotFoundError):
            Path(tmp_name).chmod(path.stat().st_mode & 0o7777)
        Path(tmp_name).replace(path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    if durable:
        fsync_directory(directory)


def fsync_directory(directory: Path) -> None:
    """Make a rename or a new entry in `directory` durable."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_tree(root: Path) -> None:
    """Flush every file and directory under `root` to disk before it is moved into place."""
    for dirpath, _dirnames, filenames in os.walk(root):
        for filename in filenames:
            fd = os.open(Path(dirpath, filename), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        fsync_directory(Path(dirpath))


@contextlib.contextmanager
def exclusive_lock(lock_path: Path) -> Iterator[None]:
    """Hold an exclusive advisory lock on `lock_path` (created if needed) for the block.

    The lock lives in its own file, never on the file being edited, so atomic replacement of the
    edited file cannot drop it.
    """
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)

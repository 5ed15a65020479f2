"""Make a server directory and register it in the root pyproject, all or nothing.

`wagents new` and `wagents adopt` both end here: the files are written into a scratch directory
under `.wagents/tmp/`, that directory is renamed to `mcp/<name>/` holding an incomplete marker,
the root pyproject is replaced atomically, and removing the marker is the commit point. All of it
happens under a lock beside the root pyproject, so concurrent runs serialize, and a run killed at
any moment leaves the old state or the new one (the next run finishes or removes what it left).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from wagents.files.atomic import atomic_write, exclusive_lock, fsync_directory, fsync_tree
from wagents.files.load import Loaded, present
from wagents.files.toml_edit import register_server
from wagents.model import UsageError
from wagents.workspace import requirements
from wagents.workspace.root import (
    INCOMPLETE_MARKER,
    SERVERS_DIR,
    SERVERS_GROUP,
    STATE_DIR,
    Workspace,
    is_incomplete,
)
from wagents.workspace.uv import LOCKFILE, uv_executable


@dataclass(frozen=True)
class Created:
    """What `create_member` made."""

    path: Path
    files: list[str]
    root_pyproject_changed: bool
    #: An interrupted run had already made and registered this server; this run finished it.
    finished_interrupted: bool = False


#: Called with the new server's directory after it is registered, before the commit point (still
#: under the lock); raising undoes everything: the directory, the root pyproject and uv.lock.
Settle = Callable[[Path], None]


def create_member(
    workspace: Workspace,
    name: str,
    files: Mapping[str, str | bytes],
    settle: Settle | None = None,
) -> Created:
    """Create `mcp/<name>/` holding `files` (relative path → content) and register it.

    `settle` runs once the member exists and is registered (`wagents adopt` locks and syncs
    there); when it raises, the member, the root pyproject and uv.lock are put back as they were
    and the exception propagates. OS errors become one-line usage errors.
    """
    target = workspace.servers_dir / name
    try:
        return _create(workspace, name, target, files, settle)
    except OSError as exc:  # permissions, a full disk, a read-only file system
        where = f" ({exc.filename})" if exc.filename else ""
        raise UsageError(
            f"cannot create {workspace.relative(target)}: {exc.strerror or exc}{where}; "
            "nothing was changed"
        ) from None


def _create(
    workspace: Workspace,
    name: str,
    target: Path,
    files: Mapping[str, str | bytes],
    settle: Settle | None,
) -> Created:
    scratch_root = workspace.state_dir / "tmp"
    root_pyproject = workspace.root / "pyproject.toml"
    with exclusive_lock(workspace.state_dir / "pyproject.lock"):
        before = _read_root(root_pyproject)
        finished = recover_interrupted(workspace.root, before)
        if name in finished:
            return Created(target, sorted(files), False, finished_interrupted=True)
        if taken(target):
            raise UsageError(f"{workspace.relative(target)} already exists")
        after = register_server(
            before,
            name=name,
            member_path=f"{SERVERS_DIR}/{name}",
            covered=_fresh(workspace, before).is_member(target),
            group=SERVERS_GROUP,
        )
        scratch_root.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=f"new-{name}-", dir=scratch_root))
        try:
            for relative, content in {**files, INCOMPLETE_MARKER: ""}.items():
                path = scratch / relative
                path.parent.mkdir(parents=True, exist_ok=True)
                if isinstance(content, bytes):
                    path.write_bytes(content)
                else:
                    path.write_text(content, encoding="utf-8")
            fsync_tree(scratch)
            workspace.servers_dir.mkdir(exist_ok=True)
            scratch.rename(target)
            fsync_directory(workspace.servers_dir)
        except BaseException:
            shutil.rmtree(scratch, ignore_errors=True)
            raise
        lock_before = _read_optional(workspace.root / LOCKFILE)
        try:
            if after != before:
                atomic_write(root_pyproject, after.encode("utf-8"))
            if settle is not None:
                settle(target)
        except BaseException:
            _discard(target, scratch_root)
            if after != before:
                atomic_write(root_pyproject, before.encode("utf-8"))
            _restore(workspace.root / LOCKFILE, lock_before)
            raise
        # The commit point: from here on the server exists for every command.
        (target / INCOMPLETE_MARKER).unlink()
        fsync_directory(target)
    return Created(target, sorted(files), after != before)


def _read_optional(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _restore(path: Path, content: bytes | None) -> None:
    """Put `path` back as it was (`None`: it did not exist)."""
    if content is None:
        path.unlink(missing_ok=True)
    elif _read_optional(path) != content:
        atomic_write(path, content)


def _discard(server_dir: Path, scratch_root: Path) -> None:
    """Remove a server directory: renamed into scratch space first, so a kill leaves no half."""
    graveyard = Path(tempfile.mkdtemp(prefix="undo-", dir=scratch_root))
    server_dir.rename(graveyard / server_dir.name)
    fsync_directory(server_dir.parent)
    shutil.rmtree(graveyard, ignore_errors=True)


def _fresh(workspace: Workspace, root_text: str) -> Workspace:
    """The workspace as the root pyproject reads now (another run may have changed it)."""
    try:
        value = tomllib.loads(root_text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{workspace.root / 'pyproject.toml'} is not valid TOML: {exc}") from None
    return Workspace(workspace.root, Loaded(workspace.root / "pyproject.toml", value, root_text))


def taken(target: Path) -> bool:
    """A server (or anything else) is at `target`, other than the remains of a killed run."""
    return present(target) and not is_incomplete(target)


def recover_interrupted(root: Path, root_text: str) -> list[str]:
    """Finish or undo what killed `wagents new`/`adopt` runs left; the caller holds the lock.

    A server directory still holding the incomplete marker is kept (marker removed) when the
    root pyproject already registers it, since only the marker's removal was left to do, and
    removed otherwise. Scratch directories and temporary pyproject files are removed: no run
    that could still be using them exists while we hold the lock. Returns the names of the
    servers it finished.
    """
    finished = []
    scratch_root = root / STATE_DIR / "tmp"
    registered = _registered_names(root_text)
    servers_dir = root / SERVERS_DIR
    for marker in sorted(servers_dir.glob(f"*/{INCOMPLETE_MARKER}")):
        server_dir = marker.parent
        if requirements.normalize(server_dir.name) in registered:
            marker.unlink()
            fsync_directory(server_dir)
            finished.append(server_dir.name)
        else:
            scratch_root.mkdir(parents=True, exist_ok=True)
            _discard(server_dir, scratch_root)
    if scratch_root.is_dir():
        for entry in scratch_root.iterdir():
            shutil.rmtree(entry, ignore_errors=True)
    for leftover in root.glob(".pyproject.toml.*.tmp"):
        leftover.unlink(missing_ok=True)
    return finished


def _registered_names(root_text: str) -> set[str]:
    """Normalized names in the root's `servers` dependency group (empty if unreadable)."""
    try:
        group = tomllib.loads(root_text).get("dependency-groups", {}).get(SERVERS_GROUP, [])
    except (tomllib.TOMLDecodeError, AttributeError):
        return set()
    return set(requirements.parse(group).names)


def _read_root(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {path}: {exc}") from None


def sync_environment(workspace: Workspace | Path, *, capture: bool = False) -> None:
    """`uv lock` then `uv sync` at the root, so a new server's dependencies are installed.

    With `capture`, uv's output is kept and its last lines go into the error (for callers that
    undo on failure and want one message); otherwise uv prints as it goes.
    """
    root = workspace.root if isinstance(workspace, Workspace) else workspace
    uv = uv_executable()
    if uv is None:
        raise UsageError("uv is not on PATH; install it (`pip install uv`) or pass --no-sync")
    for command in ([uv, "lock"], [uv, "sync"]):
        completed = subprocess.run(
            command,
            cwd=root,
            check=False,
            stdin=subprocess.DEVNULL,
            capture_output=capture,
            text=True,
        )
        if completed.returncode != 0:
            step = " ".join(["uv", *command[1:]])
            if capture:
                lines = [line for line in (completed.stderr or "").splitlines() if line.strip()]
                detail = " ".join(line.strip() for line in lines[-3:])[:500]
                raise UsageError(f"`{step}` failed (exit {completed.returncode}): {detail}")
            raise UsageError(f"`{step}` failed (exit {completed.returncode}); see its output above")

"""Where a probe runs: a temporary copy of the server directory, a home of its own, and what the
server created there.

A probe never runs in the user's server directory, nor with the user's HOME. For each probe,
`Sandbox.create` makes a temporary directory holding

- `ws/<the server's path in the workspace>/`: a copy of the server directory (tool caches left
  out; `.venv`, `venv` and `node_modules` directories, and files over `LINK_ABOVE_BYTES`, are
  linked instead of copied), so that what the server writes into its directory, or next to it
  (`Path(__file__).parent.parent / "data"`), lands in the copy;
- `home/`: HOME, with the XDG base directories under it (`XDG_CONFIG_HOME`, `XDG_DATA_HOME`,
  `XDG_CACHE_HOME`, `XDG_STATE_HOME`), so that `~/.local/share/...` is the sandbox's;
- `tmp/`: TMPDIR.

Afterwards `side_effects()` lists what the probe created, changed or removed in the copy, next to
it, or in HOME, as the real paths they stand for, and `remove()` deletes the whole directory:
nothing the server created is left behind and the user's own files are never touched. What it
cannot catch: writes to absolute paths elsewhere (`/etc`, a hard-coded path into the real
repository) and writes through the links above.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from wagents.probe.protocol import SideEffects

#: Directories never copied into the sandbox: tool caches and version control.
SKIPPED_DIRS = frozenset(
    {"__pycache__", ".pytest_cache", ".ruff_cache", ".mypy_cache", ".hypothesis", ".git"}
)
#: Directories linked into the sandbox instead of copied (environments, node packages).
LINKED_DIRS = frozenset({".venv", "venv", "node_modules"})
#: Files larger than this are linked, not copied.
LINK_ABOVE_BYTES = 8 * 1024 * 1024
#: The most paths a snapshot looks at (a server that writes a million files is cut short).
MAX_ENTRIES = 20_000
#: The XDG base directories, relative to the sandbox's HOME.
XDG_DIRS = {
    "XDG_CONFIG_HOME": ".config",
    "XDG_DATA_HOME": ".local/share",
    "XDG_CACHE_HOME": ".cache",
    "XDG_STATE_HOME": ".local/state",
}


def home_environment(home: Path, tmp: Path) -> dict[str, str]:
    """HOME, the XDG base directories inside it (`XDG_DIRS`) and TMPDIR, as variables."""
    env = {"HOME": str(home), "TMPDIR": str(tmp)}
    env.update({name: str(home / path) for name, path in XDG_DIRS.items()})
    return env


#: (kind, size, mtime in ns) of each path of a tree, by path relative to the tree.
_Snapshot = dict[str, tuple[str, int, int]]


@dataclass
class Sandbox:
    """One probe's temporary directory (see the module docstring)."""

    root: Path
    workspace_root: Path
    server_dir: Path
    original: Path
    before: _Snapshot = field(default_factory=dict, repr=False)
    home_before: _Snapshot = field(default_factory=dict, repr=False)

    @property
    def home(self) -> Path:
        return self.root / "home"

    @property
    def tmp(self) -> Path:
        return self.root / "tmp"

    @property
    def copy_root(self) -> Path:
        """The sandbox's stand-in for the workspace root."""
        return self.root / "ws"

    @classmethod
    def create(cls, server_dir: Path, workspace_root: Path | None = None) -> Sandbox:
        """Copy `server_dir` into a fresh sandbox (at its path relative to `workspace_root`)."""
        original = server_dir.resolve()
        root = Path(tempfile.mkdtemp(prefix="wagents-probe-", dir=sandbox_parent()))
        try:
            base = (workspace_root or original.parent).resolve()
            try:
                relative = original.relative_to(base)
            except ValueError:
                relative = Path(original.name)
            copy = root / "ws" / relative
            copy.parent.mkdir(parents=True)
            _copy_tree(original, copy)
            (root / "home").mkdir()
            (root / "tmp").mkdir()
            sandbox = cls(root, base, copy, original)
            sandbox.before = _snapshot(sandbox.copy_root)
            sandbox.home_before = _snapshot(sandbox.home)
        except BaseException:
            shutil.rmtree(root, ignore_errors=True)
            raise
        return sandbox

    def environment(self) -> dict[str, str]:
        """HOME, the XDG directories and TMPDIR of the sandbox."""
        return home_environment(self.home, self.tmp)

    def real_path(self, text: str) -> str:
        """`text` with the sandbox's paths replaced by the real ones they stand for."""
        text = text.replace(str(self.server_dir), str(self.original))
        text = text.replace(str(self.copy_root), str(self.workspace_root))
        return text.replace(str(self.home), "~")

    def side_effects(self) -> SideEffects:
        """What changed in the copy (and next to it) and in HOME since the sandbox was made."""
        created: list[str] = []
        changed: list[str] = []
        removed: list[str] = []
        for before, after, shown in (
            (self.before, _snapshot(self.copy_root), self.workspace_root),
            (self.home_before, _snapshot(self.home), Path("~")),
        ):
            for path, entry in after.items():
                old = before.get(path)
                if old is None:
                    created.append(str(shown / path))
                elif old != entry and entry[0] != "dir":
                    changed.append(str(shown / path))
            removed += [str(shown / path) for path in before if path not in after]
        return SideEffects(tuple(sorted(created)), tuple(sorted(changed)), tuple(sorted(removed)))

    def remove(self) -> None:
        """Delete the sandbox and everything in it (even what the server made read-only)."""
        _make_removable(self.root)
        shutil.rmtree(self.root, ignore_errors=True)


#: A memory file system, where creating and removing the sandbox's few directories costs
#: microseconds (on a disk with a journal, milliseconds each: most of a probe's time).
MEMORY_FS = Path("/dev/shm")


@functools.cache
def sandbox_parent() -> str | None:
    """Where sandboxes are made: /dev/shm when this machine has a writable one, else the
    system's temporary directory (None: tempfile's choice). The probe's rlimits cap any file it
    writes (see child.apply_limits), so a server cannot fill the memory through it."""
    try:
        if MEMORY_FS.is_dir() and os.access(MEMORY_FS, os.W_OK | os.X_OK):
            return str(MEMORY_FS)
    except OSError:
        pass
    return None


def _copy_tree(source: Path, target: Path, top: Path | None = None) -> None:
    """Copy a server directory (`top`: its root): links stay links, big files and environments
    are linked."""
    top = top or source
    target.mkdir()
    try:
        entries = list(os.scandir(source))
    except OSError:
        return  # an unlistable directory stays empty here; the rules report it
    for entry in entries:
        origin, destination = Path(entry.path), target / entry.name
        try:
            if entry.is_symlink():
                destination.symlink_to(_link_target(origin, top))
            elif entry.is_dir():
                if entry.name in SKIPPED_DIRS:
                    continue
                if entry.name in LINKED_DIRS:
                    destination.symlink_to(origin)
                else:
                    _copy_tree(origin, destination, top)
            elif entry.is_file():
                if entry.stat().st_size > LINK_ABOVE_BYTES:
                    destination.symlink_to(origin)
                else:
                    shutil.copy2(origin, destination)
            else:  # a fifo or socket: recreate nothing that could block a reader
                continue
        except OSError:
            continue  # unreadable: absent in the copy, as it is absent to the probe


def _link_target(link: Path, top: Path) -> Path:
    """Where the copy of `link` points: the same relative target when that stays inside the
    server `top` (the copy has it too), else the absolute place it reaches now."""
    target = link.readlink()
    if target.is_absolute():
        return target
    try:
        reached = (link.parent / target).resolve()
        reached.relative_to(top.resolve())
    except ValueError:
        return reached  # outside: the real file it names
    except (OSError, RuntimeError):  # a loop: the same loop in the copy
        return target
    return target


def _snapshot(root: Path) -> _Snapshot:
    """Every path under `root` (links not followed) with its kind, size and modification time."""
    found: _Snapshot = {}
    for directory, dirnames, filenames in os.walk(root):
        here = Path(directory)
        for name in [*dirnames, *filenames]:
            path = here / name
            try:
                info = path.lstat()
            except OSError:
                continue
            kind = (
                "dir"
                if stat.S_ISDIR(info.st_mode)
                else "link"
                if stat.S_ISLNK(info.st_mode)
                else "file"
            )
            found[path.relative_to(root).as_posix()] = (kind, info.st_size, info.st_mtime_ns)
            if len(found) >= MAX_ENTRIES:
                return found
        dirnames[:] = [name for name in dirnames if not (here / name).is_symlink()]
    return found


def _make_removable(root: Path) -> None:
    """Give back write and search permission on every directory a probe may have locked."""
    for directory, dirnames, _ in _walk_quietly(root):
        for name in dirnames:
            with contextlib.suppress(OSError):
                path = Path(directory) / name
                if not path.is_symlink():
                    path.chmod(0o700)


def _walk_quietly(root: Path) -> Iterator[tuple[str, list[str], list[str]]]:
    with contextlib.suppress(OSError):
        root.chmod(0o700)
    yield from os.walk(root)

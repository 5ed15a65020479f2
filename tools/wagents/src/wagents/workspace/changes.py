"""Which servers a change touches, from git: the servers whose files changed, or all of them.

A change is measured from the merge base of a ref and `HEAD` (what a pull request adds, like
`git diff REF...`), plus uncommitted and untracked files, so that the same question gives the same
answer on a laptop and in CI. A change to a shared file (the root pyproject, `uv.lock`, `tools/`,
the workflows) can break any server, so it selects every server.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath

from wagents.model import Server, UsageError
from wagents.workspace.root import SERVERS_DIR, Workspace

#: Paths (relative to the workspace root, fnmatch globs) whose change selects every server.
SHARED_PATTERNS = (
    "pyproject.toml",
    "uv.lock",
    ".python-version",
    "tools/*",
    ".github/workflows/*",
)


@dataclass(frozen=True)
class ChangeSet:
    """What changed since `ref`, relative to the workspace root."""

    ref: str
    base: str
    paths: tuple[str, ...]

    @property
    def shared(self) -> tuple[str, ...]:
        """The changed paths that every server depends on."""
        return tuple(path for path in self.paths if is_shared(path))

    @property
    def server_names(self) -> frozenset[str]:
        """Names of the server directories holding a changed path."""
        names = set()
        for path in self.paths:
            parts = PurePosixPath(path).parts
            if len(parts) > 2 and parts[0] == SERVERS_DIR:  # mcp/NAME/<file>
                names.add(parts[1])
        return frozenset(names)

    def select(self, servers: list[Server]) -> list[Server]:
        """The servers this change can affect: all of them when a shared file changed."""
        if self.shared:
            return list(servers)
        touched = self.server_names
        return [server for server in servers if server.name in touched]


def is_shared(path: str) -> bool:
    """Whether a change to `path` (relative to the workspace root) can affect every server."""
    return any(fnmatchcase(path, pattern) for pattern in SHARED_PATTERNS)


def changes_since(workspace: Workspace, ref: str) -> ChangeSet:
    """The files changed in `workspace` since the merge base of `ref` and `HEAD`.

    Raises UsageError when git is missing, the workspace is not in a git repository, or `ref`
    is unknown or shares no history with `HEAD` (a shallow clone: fetch more history).
    """
    if shutil.which("git") is None:
        raise UsageError("--changed-since needs git on PATH")
    if ref.startswith("-"):
        raise UsageError(f"not a git ref: {ref!r}")
    _git(workspace, "rev-parse", "--git-dir", failure="not inside a git repository")
    commit = _git(
        workspace,
        "rev-parse",
        "--verify",
        "--quiet",
        "--end-of-options",
        f"{ref}^{{commit}}",
        failure=f"unknown git ref {ref!r}",
    ).strip()
    base = _git(
        workspace,
        "merge-base",
        commit,
        "HEAD",
        failure=f"{ref!r} shares no history with HEAD (a shallow clone? fetch more history)",
    ).strip()
    # `--relative` keeps paths relative to the workspace root (and drops those outside it) when
    # the workspace is a subdirectory of the repository; `--no-renames` lists both sides of a move.
    changed = _git(workspace, "diff", "--name-only", "-z", "--no-renames", "--relative", base, "--")
    untracked = _git(workspace, "ls-files", "-z", "--others", "--exclude-standard")
    paths = sorted({path for path in (changed + untracked).split("\0") if path})
    return ChangeSet(ref=ref, base=base, paths=tuple(paths))


def changes_in(workspace: Workspace, paths: Iterable[str | Path], cwd: Path) -> ChangeSet:
    """A change made of the given files (as pre-commit passes them, relative to `cwd`).

    Paths outside the workspace are dropped; nothing is read from git.
    """
    relative = set()
    for path in paths:
        absolute = Path(os.path.normpath(cwd / path))  # no resolve(): a symlink is its own path
        try:
            relative.add(absolute.relative_to(workspace.root).as_posix())
        except ValueError:
            continue
    return ChangeSet(ref="", base="", paths=tuple(sorted(relative)))


def _git(workspace: Workspace, *args: str, failure: str = "git failed") -> str:
    environment = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}
    completed = subprocess.run(
        ["git", *args],
        cwd=workspace.root,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="surrogateescape",
        env=environment,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    if completed.returncode != 0:
        detail = completed.stderr.strip().splitlines()
        suffix = f" ({detail[-1]})" if detail and failure == "git failed" else ""
        raise UsageError(f"{failure}{suffix}")
    return completed.stdout

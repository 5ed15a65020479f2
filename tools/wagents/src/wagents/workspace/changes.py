"""Which servers a change touches, from git: the servers whose files changed, or all of them;
and the one definition of the files every server shares.

A change is measured from the merge base of a ref and `HEAD` (what a pull request adds, like
`git diff REF...`), plus uncommitted and untracked files, so that the same question gives the same
answer on a laptop and in CI. A change to a shared input (`SHARED_FILES` at the root, anything
under `SHARED_DIRS`, any workspace member outside `mcp/`) can change any server's findings, so it
selects every server; the validation cache (wagents.check.cache) hashes the same inputs into
every server's key.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from wagents.model import Server, UsageError
from wagents.workspace.root import SERVERS_DIR, Workspace

#: Files at the workspace root that rules, the probe or the lock read for every server: the root
#: pyproject and lock (every server's environment), the Python version, git's ignore rules (the
#: secret scan skips ignored files) and the pytest settings servers inherit.
SHARED_FILES = (
    "pyproject.toml",
    "uv.lock",
    ".python-version",
    ".gitignore",
    "pytest.ini",
    "tox.ini",
    "setup.cfg",
    "conftest.py",
)
#: Directories (relative to the root) whose files can change every server's findings: wagents
#: itself and the CI workflows (rules read them).
SHARED_DIRS = ("tools", ".github/workflows")


@dataclass(frozen=True)
class SharedInputs:
    """What every server of a workspace depends on, as root-relative POSIX paths."""

    files: tuple[str, ...] = SHARED_FILES
    #: SHARED_DIRS and the workspace members outside `mcp/` (packages servers may depend on).
    directories: tuple[str, ...] = SHARED_DIRS

    def covers(self, path: str) -> bool:
        """Whether a change to `path` (relative to the root) can affect every server."""
        return path in self.files or any(
            path.startswith(f"{directory}/") for directory in self.directories
        )


def shared_inputs(workspace: Workspace) -> SharedInputs:
    """The shared inputs of `workspace`: SHARED_FILES, SHARED_DIRS and its non-server members."""
    directories = list(SHARED_DIRS)
    root = workspace.root
    for pattern in workspace.member_globs:
        try:
            matches = sorted(root.glob(pattern.strip().removeprefix("./").rstrip("/")))
        except (ValueError, NotImplementedError, OSError):
            continue  # a glob pathlib refuses (empty, absolute): workspace-member reports it
        for match in matches:
            relative = workspace.relative(match)
            if (
                match.is_dir()
                and relative not in (".", "")
                and not relative.startswith(f"{SERVERS_DIR}/")
                and relative != SERVERS_DIR
                and not any(relative.startswith(f"{done}/") for done in directories)
            ):
                directories.append(relative)
    return SharedInputs(SHARED_FILES, tuple(directories))


@dataclass(frozen=True)
class ChangeSet:
    """What changed since `ref`, relative to the workspace root."""

    ref: str
    base: str
    paths: tuple[str, ...]
    inputs: SharedInputs = SharedInputs()

    @property
    def shared(self) -> tuple[str, ...]:
        """The changed paths that every server depends on."""
        return tuple(path for path in self.paths if self.inputs.covers(path))

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


def changes_since(workspace: Workspace, ref: str) -> ChangeSet:
    """The files changed in `workspace` since the merge base of `ref` and `HEAD`.

    Raises UsageError when git is missing, the workspace is not in a git repository, or `ref`
    is unknown or shares no history with `HEAD` (a shallow clone: fetch more history).
    """
    base = merge_base(workspace, ref)
    # `--relative` keeps paths relative to the workspace root (and drops those outside it) when
    # the workspace is a subdirectory of the repository; `--no-renames` lists both sides of a move.
    changed = _git(workspace, "diff", "--name-only", "-z", "--no-renames", "--relative", base, "--")
    untracked = _git(workspace, "ls-files", "-z", "--others", "--exclude-standard")
    paths = sorted({path for path in (changed + untracked).split("\0") if path})
    return ChangeSet(ref=ref, base=base, paths=tuple(paths), inputs=shared_inputs(workspace))


def merge_base(workspace: Workspace, ref: str, option: str = "--changed-since") -> str:
    """The commit where `HEAD` left `ref` (`git merge-base REF HEAD`): what a pull request adds
    is measured from there.

    Raises UsageError (naming `option`) when git is missing, the workspace is not in a git
    repository, or `ref` is unknown or shares no history with `HEAD`.
    """
    if shutil.which("git") is None:
        raise UsageError(f"{option} needs git on PATH")
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
    return base


#: The largest file `files_at` reads from history.
MAX_HISTORY_BYTES = 16 * 1024 * 1024


def files_at(
    workspace: Workspace, commit: str, relatives: Iterable[str]
) -> dict[str, bytes | None]:
    """The content of each file `relatives` names (relative to the workspace root) at `commit`;
    None for one that did not exist there as a file or is larger than MAX_HISTORY_BYTES.

    Two git processes in all, whatever the number of files: one asks what each path names, one
    reads the blobs wanted.
    """
    wanted = list(dict.fromkeys(relatives))
    found: dict[str, bytes | None] = dict.fromkeys(wanted)
    # `./`: relative to the workspace, not the repository root; one spec a line.
    specs = b"".join(f"{commit}:./{relative}\n".encode() for relative in wanted)
    described = _git_bytes(workspace, "cat-file", "--batch-check", stdin=specs) or b""
    blobs: dict[str, tuple[bytes, int]] = {}
    for relative, line in zip(wanted, described.split(b"\n"), strict=False):
        fields = line.split()  # else "<spec> missing", a directory, a submodule
        is_blob = len(fields) == 3 and fields[1] == b"blob" and fields[2].isdigit()
        if is_blob and int(fields[2]) <= MAX_HISTORY_BYTES:
            blobs[relative] = (fields[0], int(fields[2]))
    if not blobs:
        return found
    names = b"".join(name + b"\n" for name, _ in blobs.values())
    contents = _git_bytes(workspace, "cat-file", "--batch", stdin=names)
    if contents is None:
        return found
    # "<name> blob <size>\n<content>\n" for each, in the order asked.
    position = 0
    for relative, (name, size) in blobs.items():
        end = contents.find(b"\n", position)
        if end < 0 or contents[position:end].split() != [name, b"blob", str(size).encode()]:
            break  # not the answer expected (the repository changed meanwhile): nothing more
        found[relative] = contents[end + 1 : end + 1 + size]
        position = end + 1 + size + 1
    return found


def _run_git(
    workspace: Workspace, args: tuple[str, ...], stdin: bytes = b""
) -> subprocess.CompletedProcess[bytes]:
    """Run git in the workspace: no optional locks (a read never waits for another git), C locale
    messages, `stdin` as its input."""
    return subprocess.run(
        ["git", *args],
        cwd=workspace.root,
        capture_output=True,
        input=stdin,
        env={**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"},
        check=False,
    )


def _git_bytes(workspace: Workspace, *args: str, stdin: bytes = b"") -> bytes | None:
    """git's stdout as bytes, None when it fails."""
    completed = _run_git(workspace, args, stdin)
    return completed.stdout if completed.returncode == 0 else None


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
    return ChangeSet(
        ref="", base="", paths=tuple(sorted(relative)), inputs=shared_inputs(workspace)
    )


def _git(workspace: Workspace, *args: str, failure: str = "git failed") -> str:
    """git's stdout as text (undecodable bytes kept as surrogates); a UsageError saying
    `failure` (and, for the default, git's last line) when it fails."""
    completed = _run_git(workspace, args)
    if completed.returncode != 0:
        detail = completed.stderr.decode("utf-8", "replace").strip().splitlines()
        suffix = f" ({detail[-1]})" if detail and failure == "git failed" else ""
        raise UsageError(f"{failure}{suffix}")
    return completed.stdout.decode("utf-8", "surrogateescape")

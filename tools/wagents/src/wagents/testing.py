"""Helpers for tests: scratch workspaces and running the real CLI.

Servers are never imported into a test process: use `wagents.probe.runner.run_probe` or the server's
own test suite (`wagents.deploy.servertests`) to exercise one.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

from wagents.scaffold.new import new_server
from wagents.workspace.root import Workspace
from wagents.workspace.uv import uv_executable

ROOT_PYPROJECT = """\
[project]
name = "scratch-workspace"
version = "0.1.0"
requires-python = ">=3.11"
dependencies = []

[dependency-groups]
servers = []

[tool.uv]
default-groups = ["servers"]

[tool.uv.workspace]
members = ["mcp/*"]
"""


def scratch_workspace(
    root: Path,
    servers: Iterable[str] = (),
    pyproject: str = ROOT_PYPROJECT,
    *,
    locked: bool = False,
    surfaces: bool = False,
) -> Workspace:
    """A minimal workspace at `root` with freshly scaffolded `servers` (nothing installed).

    With `locked`, it also gets a uv.lock (see `lock_workspace`), which the `lockfile` rule wants;
    with `surfaces`, each server gets its mcp-surface.json, as the `wagents new` command writes
    it (see `write_surfaces`), which the `surface-drift` rule wants.
    """
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    (root / "mcp").mkdir(exist_ok=True)
    workspace = Workspace.find(root)
    for name in servers:
        new_server(workspace, name)
    if locked:
        lock_workspace(root)
    if surfaces:
        write_surfaces(root, servers)
    return Workspace.find(root)


def write_surfaces(root: Path, names: Iterable[str] = ()) -> None:
    """Write the mcp-surface.json of the named servers (all when none are named) from a probe
    of each, as `wagents surface --write` does; a server whose surface cannot be taken raises."""
    from wagents.check.surface import probe_surfaces, write_snapshot

    workspace = Workspace.find(root)
    for taken in probe_surfaces(workspace, workspace.select(list(names))):
        if taken.surface is None:
            raise RuntimeError(f"{taken.server.name}: no surface: {taken.problem}")
        write_snapshot(taken.files, taken.surface)


def lock_workspace(root: Path, seed_lock: Path | None = None) -> None:
    """Write `root/uv.lock` with `uv lock`: offline first (uv's cache usually holds every
    package a scaffold needs), then from the package index.

    `seed_lock` (e.g. this repository's uv.lock) is copied in first so that uv keeps its pins and
    needs only what the cache already holds.
    """
    uv = uv_executable()
    if uv is None:
        raise RuntimeError("uv is not on PATH")
    if seed_lock is not None and not (root / "uv.lock").exists():
        shutil.copyfile(seed_lock, root / "uv.lock")
    completed = None
    for offline in (["--offline"], []):
        completed = subprocess.run(
            [uv, "lock", "--quiet", *offline],
            cwd=root,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
        )
        if completed.returncode == 0:
            return
    raise RuntimeError(f"uv lock failed in {root}: {completed.stderr.strip() if completed else ''}")


def link_environment(root: Path) -> Path:
    """Make the running environment the workspace's `.venv` (a symlink), as `uv sync` would have
    made one: `wagents validate --live` starts servers with `uv run`, which uses `root/.venv`.

    Scratch workspaces hold scaffolded servers whose dependencies the running environment has.
    """
    link = root / ".venv"
    if not link.exists():
        link.symlink_to(Path(sys.prefix), target_is_directory=True)
    return link


def copy_repository(source: Path, destination: Path) -> Path:
    """Copy the files git knows in `source` (tracked or untracked, not ignored) to `destination`."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=source,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for raw in filter(None, listed):
        relative = Path(os.fsdecode(raw))
        origin = source / relative
        if not origin.is_file():
            continue  # deleted in the working tree
        target = destination / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(origin, target)
    return destination


def wagents_command() -> list[str]:
    """The real `wagents` console script of the running environment."""
    script = Path(sys.executable).parent / "wagents"
    return [str(script)] if script.exists() else [sys.executable, "-m", "wagents"]


def run_wagents(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """Run `wagents ARGS...` in `cwd` with stdin closed; output is captured as text."""
    return subprocess.run(
        [*wagents_command(), *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def git(root: Path, *args: str) -> str:
    """Run git in `root` as a throwaway identity and return its stdout (raises on failure)."""
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
        cwd=root,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def commit_all(root: Path, message: str) -> None:
    """Stage everything in `root` (new files included) and commit it."""
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port

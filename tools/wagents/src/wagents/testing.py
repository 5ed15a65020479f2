"""Helpers for tests: scratch workspaces and running the real CLI.

Servers are never imported into a test process: use `wagents.probe.runner.run_probe` or the server's
own test suite (`wagents.deploy.servertests`) to exercise one.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterable, Mapping
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
    it (see `rendered_snapshot`), which the `surface-drift` rule wants.
    """
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    (root / "mcp").mkdir(exist_ok=True)
    workspace = Workspace.find(root)
    for name in servers:
        new_server(workspace, name, derive=rendered_snapshot if surfaces else None)
    if locked:
        lock_workspace(root)
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


#: The name of the server `copy_repository` adds (a suffix is added if the copy has one already).
BYSTANDER = "bystander"


def copy_repository(source: Path, destination: Path, *, bystander: bool = True) -> Path:
    """Copy the files git knows in `source` (tracked or untracked, not ignored) to `destination`.

    With `bystander` (the default), the copy also gets one more server, freshly scaffolded and
    registered in its root pyproject, and a uv.lock that includes it, as `wagents new` leaves a
    workspace: the repository is a template, so a test that assumes which servers ship (counts
    them, or lists them) fails at once instead of on the first user who adds one. Pass
    `bystander=False` only when the test needs the repository exactly as it is (say so).
    """
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
    if bystander:
        add_bystander(destination)
    return destination


BYSTANDER_DESCRIPTION = "A server a user added: tests must not assume which ship."
#: mcp-surface.json of rendered servers by name and files: scaffolds of one name are the same in
#: every workspace a test process makes, so each is probed once.
_RENDERED_SNAPSHOTS: dict[tuple[str, tuple[tuple[str, str], ...]], dict[str, str]] = {}


def rendered_snapshot(name: str, files: Mapping[str, str]) -> Mapping[str, str]:
    """The mcp-surface.json `wagents new` writes beside the rendered `files` of server `name`
    (a `derive` for `new_server`), probed once per process for the same name and files."""
    key = (name, tuple(sorted(files.items())))
    if key not in _RENDERED_SNAPSHOTS:
        from wagents.analysis.surface import canonical_json
        from wagents.check.surface import surface_of_files
        from wagents.workspace.listing import SURFACE_FILE

        surface, problem = surface_of_files(name, files)
        if surface is None:
            raise RuntimeError(f"{name} has no surface: {problem}")
        _RENDERED_SNAPSHOTS[key] = {SURFACE_FILE: canonical_json(surface)}
    return _RENDERED_SNAPSHOTS[key]


def bystander_name(root: Path) -> str:
    """The name `add_bystander` (and `copy_repository` of `root`) gives the bystander:
    `bystander`, or `bystander-2`, ... when the workspace has one of that name already."""
    return _free_name(Workspace.find(root), BYSTANDER, set())


def add_bystander(root: Path) -> str:
    """Scaffold and register one more server in the workspace at `root`, lock it; its name."""
    workspace = Workspace.find(root)
    name = bystander_name(root)
    new_server(workspace, name, BYSTANDER_DESCRIPTION, derive=rendered_snapshot)
    if (root / "uv.lock").exists():
        lock_workspace(root)
    return name


def unused_server_name(root: Path, stem: str) -> str:
    """`stem`, or `stem-2`, `stem-3`, ...: the first name no server of the workspace at `root`
    uses (nor a directory under its servers' directory), and not one `bystander_name` gives.

    Tests that add a server to a copy of this repository take its name from here: the user may
    have a server called `alpha` already.
    """
    return _free_name(Workspace.find(root), stem, {bystander_name(root)})


def _free_name(workspace: Workspace, stem: str, reserved: set[str]) -> str:
    taken = {server.name for server in workspace.servers()} | reserved
    for candidate in (stem, *(f"{stem}-{n}" for n in range(2, 1000))):
        if candidate not in taken and not (workspace.servers_dir / candidate).exists():
            return candidate
    raise RuntimeError(f"no unused server name like {stem!r} under {workspace.servers_dir}")


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


def invoke_wagents(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `wagents ARGS...` in this process, as the console script would, in `cwd`.

    It calls `wagents.cli.app.run` (what `main` exits with) inside typer's `CliRunner` isolation:
    stdin empty and not a terminal, stdout and stderr captured, `env` laid over `os.environ` and
    restored afterwards. The result has the fields of `run_wagents`' (returncode, stdout,
    stderr). Use it for argument handling and output; a command whose own child processes write
    to the inherited file descriptors (`wagents test`, `new` without `--no-sync`), that replaces
    the process (`serve`, `dev`) or that must prove crash safety, isolation or concurrency
    needs the real process: `run_wagents`. Not thread-safe (it swaps the process's streams and
    working directory).
    """
    from typer.testing import CliRunner

    from wagents.cli.app import run

    runner = CliRunner()
    with contextlib.chdir(cwd), runner.isolation(env=env) as (stdout, stderr, _):
        try:
            status = run(list(args), prog_name="wagents")
        except SystemExit as exc:  # what the interpreter would make of it
            code = exc.code
            status = code if isinstance(code, int) else (0 if code is None else 1)
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
        out = stdout.getvalue().decode("utf-8", "replace")
        err = stderr.getvalue().decode("utf-8", "replace")
    return subprocess.CompletedProcess(["wagents", *args], status, out, err)


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

"""Kill `wagents new` with SIGKILL just before each of its file-system operations, then re-run it.

Run as a script by test_crash_safety.py: `python killpoints.py ROOT PREFIX [FIRST LAST]`.

The wagents CLI is imported once; every attempt is a forked child that runs the real
`wagents.cli.app.run` (what the console script runs) for `new PREFIXk --no-sync` in ROOT with an
audit hook (`sys.addaudithook`) that counts the file-system events touching ROOT (open, mkdir,
rename, replace, remove, chmod, rmtree) and sends itself SIGKILL just before event number k.
Without a kill point the child counts the events of a full run. After each kill the same command is
run again, unkilled; then the server directory and the root pyproject are put back as they were, so
that every attempt makes the same server from the same workspace.

`wagents new` probes the rendered server for its surface snapshot before it writes anything (in
a subprocess, outside ROOT: no event here). The first, real run records that snapshot; the attempts
reuse it instead of probing again, which is what made this test take a minute and a half.

Prints one JSON line per attempt: what the root pyproject, the server directory and the rest of
ROOT looked like after the kill and after the re-run.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
from pathlib import Path

from wagents.workspace.listing import SURFACE_FILE

WATCHED_EVENTS = frozenset(
    {
        "open",
        "os.mkdir",
        "os.rename",
        "os.replace",
        "os.remove",
        "os.rmdir",
        "os.chmod",
        "shutil.rmtree",
        "tempfile.mkstemp",
        "tempfile.mkdtemp",
    }
)


def _run_child(
    root: Path, name: str, kill_at: int, count_file: Path | None, snapshot: str | None
) -> int:
    """Fork a child running `wagents new NAME --no-sync`; its wait status. With `snapshot`, the
    child takes it as the probed surface of the rendered server instead of probing."""
    pid = os.fork()
    if pid:
        return os.waitpid(pid, 0)[1]
    try:
        os.chdir(root)
        prefix = os.fspath(root)
        seen = 0

        def hook(event: str, args: tuple) -> None:
            nonlocal seen
            if event not in WATCHED_EVENTS or not args:
                return
            target = args[0]
            if not isinstance(target, str | bytes | os.PathLike):
                return
            if not os.fsdecode(target).startswith(prefix):
                return
            seen += 1
            if seen == kill_at:
                os.kill(os.getpid(), signal.SIGKILL)

        if snapshot is not None:
            from wagents.cli.commands import surface

            def recorded(self: surface.SnapshotOfRendered, *_: object) -> dict[str, str]:
                self.problem = None
                return {SURFACE_FILE: snapshot}

            surface.SnapshotOfRendered.__call__ = recorded  # type: ignore[method-assign]
        sys.addaudithook(hook)
        sys.argv = ["wagents", "new", name, "--no-sync"]
        sys.stdout = sys.stderr = Path(os.devnull).open("w")  # noqa: SIM115
        from wagents.cli.app import run

        code = run()
        if count_file is not None:
            fd = os.open(count_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            os.write(fd, str(seen).encode())
            os.close(fd)
        os._exit(code)
    except BaseException:
        os._exit(99)


def _state(root: Path, name: str) -> dict:
    server = root / "mcp" / name
    return {
        "elsewhere": sorted(
            path.relative_to(root).as_posix()
            for path in root.rglob("*")
            if path != server and server not in path.parents
        ),
        "pyproject": (root / "pyproject.toml").read_bytes().decode("utf-8", "replace"),
        "server_entries": sorted(path.relative_to(server).as_posix() for path in server.rglob("*"))
        if server.exists()
        else None,
    }


def main() -> None:
    root = Path(sys.argv[1]).resolve()
    prefix = sys.argv[2]
    import wagents.cli.app  # noqa: F401 - imported once, before the forks

    name = prefix
    server = root / "mcp" / name
    before = (root / "pyproject.toml").read_bytes()

    def put_back() -> None:
        shutil.rmtree(server, ignore_errors=True)
        (root / "pyproject.toml").write_bytes(before)

    recording = _run_child(root, name, 0, None, None)  # the real probe, once
    snapshot = (server / SURFACE_FILE).read_text(encoding="utf-8")
    put_back()
    count_file = root.parent / "event-count"
    status = _run_child(root, name, 0, count_file, snapshot)
    total = int(count_file.read_text())
    put_back()
    untouched = _state(root, name)["elsewhere"]
    print(
        json.dumps(
            {
                "k": 0,
                "status": status,
                "recording": recording,
                "events": total,
                "elsewhere": untouched,
            }
        ),
        flush=True,
    )
    for k in range(1, total + 1):
        killed = _run_child(root, name, k, None, snapshot)
        after_kill = _state(root, name)
        rerun = _run_child(root, name, 0, None, snapshot)
        after_rerun = _state(root, name)
        if k < total:  # the last one stays, for the caller to validate
            put_back()
        print(
            json.dumps(
                {
                    "k": k,
                    "name": name,
                    "before": before.decode(),
                    "killed_by_signal": os.WIFSIGNALED(killed)
                    and os.WTERMSIG(killed) == signal.SIGKILL,
                    "after_kill": after_kill,
                    "rerun_exit": os.waitstatus_to_exitcode(rerun),
                    "after_rerun": after_rerun,
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()

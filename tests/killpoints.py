"""Kill `wagents new` with SIGKILL just before each of its file-system operations, then re-run it.

Run as a script by test_crash_safety.py: `python killpoints.py ROOT PREFIX [FIRST LAST]`.

The wagents CLI is imported once; every attempt is a forked child that runs the real
`wagents.cli.app.main` for `new PREFIXk --no-sync` in ROOT with an audit hook (`sys.addaudithook`)
that counts the file-system events touching ROOT (open, mkdir, rename, replace, remove, chmod,
rmtree) and sends itself SIGKILL just before event number k. Without a kill point the child counts
the events of a full run. After each kill the same command is run again, unkilled.

Prints one JSON line per attempt: what the root pyproject and the server directory looked like
after the kill and after the re-run.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path

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


def _run_child(root: Path, name: str, kill_at: int, count_file: Path | None) -> int:
    """Fork a child running `wagents new NAME --no-sync`; its wait status."""
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

        sys.addaudithook(hook)
        sys.argv = ["wagents", "new", name, "--no-sync"]
        sys.stdout = sys.stderr = Path(os.devnull).open("w")  # noqa: SIM115
        from wagents.cli.app import main

        try:
            main()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
            if count_file is not None:
                fd = os.open(count_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
                os.write(fd, str(seen).encode())
                os.close(fd)
            os._exit(code)
        os._exit(0)
    except BaseException:
        os._exit(99)


def _state(root: Path, name: str) -> dict:
    server = root / "mcp" / name
    return {
        "pyproject": (root / "pyproject.toml").read_bytes().decode("utf-8", "replace"),
        "server_entries": sorted(path.relative_to(server).as_posix() for path in server.rglob("*"))
        if server.exists()
        else None,
    }


def main() -> None:
    root = Path(sys.argv[1]).resolve()
    prefix = sys.argv[2]
    import wagents.cli.app  # noqa: F401 - imported once, before the forks

    count_file = root.parent / "event-count"
    status = _run_child(root, f"{prefix}0", 0, count_file)
    total = int(count_file.read_text())
    print(json.dumps({"k": 0, "status": status, "events": total}), flush=True)
    for k in range(1, total + 1):
        name = f"{prefix}{k}"
        before = (root / "pyproject.toml").read_bytes().decode()
        killed = _run_child(root, name, k, None)
        after_kill = _state(root, name)
        rerun = _run_child(root, name, 0, None)
        after_rerun = _state(root, name)
        print(
            json.dumps(
                {
                    "k": k,
                    "name": name,
                    "before": before,
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

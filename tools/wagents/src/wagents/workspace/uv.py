"""Is the workspace's uv.lock present and up to date? (`uv lock --check --offline`, once)."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

LOCKFILE = "uv.lock"
#: `uv lock --check` on a workspace takes a tenth of a second; anything near this is a hang.
TIMEOUT_SECONDS = 120


@dataclass(frozen=True)
class LockStatus:
    """`state` is `ok`, `missing`, `stale` (uv says the lock needs updating) or `unknown`."""

    state: str
    detail: str = ""


def uv_executable() -> str | None:
    """The uv binary: `$UV` (set by `uv run`) or the first `uv` on PATH."""
    candidate = os.environ.get("UV")
    if candidate and Path(candidate).is_file():
        return candidate
    return shutil.which("uv")


def check_lock(root: Path) -> LockStatus:
    """Ask uv whether `root/uv.lock` matches the workspace's pyproject files.

    `--offline` keeps the check from touching the network: a lock that satisfies the
    requirements needs no resolution, and one that does not is out of date either way.
    """
    if not (root / LOCKFILE).is_file():
        return LockStatus("missing")
    uv = uv_executable()
    if uv is None:
        return LockStatus("unknown", "uv is not on PATH")
    try:
        completed = subprocess.run(
            [uv, "lock", "--check", "--offline", "--quiet"],
            cwd=root,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return LockStatus("unknown", f"`uv lock --check` took more than {TIMEOUT_SECONDS} s")
    except OSError as exc:
        return LockStatus("unknown", f"cannot run uv: {exc.strerror or exc}")
    if completed.returncode == 0:
        return LockStatus("ok")
    return LockStatus("stale", _first_error(completed.stderr))


def _first_error(stderr: str) -> str:
    """uv's own explanation, first line, without the `error: ` prefix."""
    for raw in stderr.splitlines():
        line = raw.strip()
        if line and not line.startswith(("Using ", "Resolved ", "warning:")):
            return line.removeprefix("error: ")[:300]
    return ""

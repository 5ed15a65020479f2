"""`[tool.wagents] keep-zygote`: the zygote outlives a run, the next runs fork from it and get
the same findings, it stops when idle, and it is never kept where others could reach it."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from wagents.probe.scheduler import zygote_unsupported
from wagents.testing import ROOT_PYPROJECT, run_wagents, scratch_workspace, wagents_command

pytestmark = pytest.mark.skipif(zygote_unsupported() is not None, reason="the zygote is Linux-only")

KEPT = re.compile(r"connection (\d+) to the zygote kept by pid (\d+)")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    return status not in ("Z", "X")


@pytest.fixture
def kept_pids() -> Iterator[set[int]]:
    """The kept zygotes a test saw; killed at its end (they outlive the runs by design)."""
    pids: set[int] = set()
    yield pids
    for pid in pids:
        if _alive(pid):
            os.kill(pid, signal.SIGTERM)


@pytest.fixture
def runtime() -> Iterator[Path]:
    """An empty XDG_RUNTIME_DIR (mode 0700) with a short path: a Unix socket's path may have at
    most 107 bytes, and pytest's temporary directories can be longer."""
    directory = Path(tempfile.mkdtemp(prefix="wagents-kz-"))
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


def _workspace(root: Path, seconds: float) -> Path:
    pyproject = ROOT_PYPROJECT + f"\n[tool.wagents]\nkeep-zygote = {seconds}\n"
    scratch_workspace(root, ["alpha", "beta"], pyproject, locked=True, surfaces=True)
    return root


def _validate(root: Path, runtime: Path, *args: str) -> tuple[list[dict[str, object]], str]:
    done = run_wagents(
        "validate", "--format", "json", "--verbose", *args,
        cwd=root, env={"XDG_RUNTIME_DIR": str(runtime)},
    )  # fmt: skip
    assert done.returncode in (0, 1) and done.stdout, done.stderr
    return json.loads(done.stdout)["findings"], done.stderr


def _kept(stderr: str, pids: set[int]) -> tuple[int, int]:
    """(connection number, kept zygote's pid) from a verbose run's stderr."""
    match = KEPT.search(stderr)
    assert match is not None, stderr
    pids.add(int(match[2]))
    return int(match[1]), int(match[2])


def _assert_gone_with_what_it_made(pid: int, runtime: Path) -> None:
    """The kept zygote `pid` ends within 30 s, leaving only its lock file: no socket, no HOME."""
    deadline = time.monotonic() + 30
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(pid)
    left = sorted(path.name for path in (runtime / "wagents").iterdir())
    assert [name for name in left if not name.endswith(".lock")] == []


def _edit(root: Path, name: str, number: int) -> None:
    """Give the server one more tool, which only its probe sees (surface-drift reports it)."""
    source = root / "mcp" / name / "server.py"
    tool = f'@mcp.tool\ndef added_{number}(text: str) -> str:\n    """Echo."""\n    return text\n'
    source.write_text(source.read_text() + "\n\n" + tool)


def test_the_next_run_forks_from_the_kept_zygote_with_the_same_findings(
    tmp_path: Path, runtime: Path, kept_pids: set[int]
) -> None:
    root = _workspace(tmp_path / "ws", 60)
    first, stderr = _validate(root, runtime)
    assert _kept(stderr, kept_pids)[0] == 1
    directory = runtime / "wagents"
    assert directory.stat().st_mode & 0o777 == 0o700
    assert len(list(directory.glob("zygote-*.sock"))) == 1

    _edit(root, "alpha", 1)
    second, stderr = _validate(root, runtime)
    assert "1 checked" in stderr  # only the edited server was probed, by the kept zygote
    assert _kept(stderr, kept_pids) == (2, next(iter(kept_pids)))
    # A run that reads no cache starts a zygote of its own, and finds the same.
    fresh, stderr = _validate(root, runtime, "--no-cache")
    assert KEPT.search(stderr) is None and "forked from a preloaded zygote" in stderr
    assert second == fresh != first
    assert "added_1" in json.dumps(second)
    # Between runs the kept zygote runs nothing but itself: each session ended with its run.
    pid = next(iter(kept_pids))
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    assert [child for child in children if _alive(int(child))] == []


def test_it_stops_when_idle_and_removes_what_it_made(
    tmp_path: Path, runtime: Path, kept_pids: set[int]
) -> None:
    root = _workspace(tmp_path / "ws", 1)
    _, stderr = _validate(root, runtime)
    _, pid = _kept(stderr, kept_pids)
    _assert_gone_with_what_it_made(pid, runtime)


def test_sigterm_stops_it_the_same_way(tmp_path: Path, runtime: Path, kept_pids: set[int]) -> None:
    root = _workspace(tmp_path / "ws", 60)
    _, stderr = _validate(root, runtime)
    _, pid = _kept(stderr, kept_pids)
    os.kill(pid, signal.SIGTERM)
    _assert_gone_with_what_it_made(pid, runtime)


def test_a_killed_kept_zygote_is_replaced(
    tmp_path: Path, runtime: Path, kept_pids: set[int]
) -> None:
    root = _workspace(tmp_path / "ws", 60)
    _, stderr = _validate(root, runtime)
    _, pid = _kept(stderr, kept_pids)
    os.kill(pid, signal.SIGKILL)  # its socket file stays behind
    _edit(root, "beta", 1)
    _, stderr = _validate(root, runtime)
    connection, replacement = _kept(stderr, kept_pids)
    assert (connection, replacement != pid) == (1, True)


def test_a_directory_others_may_enter_is_not_used(
    tmp_path: Path, runtime: Path, kept_pids: set[int]
) -> None:
    root = _workspace(tmp_path / "ws", 60)
    (runtime / "wagents").mkdir(parents=True)
    (runtime / "wagents").chmod(0o777)
    findings, stderr = _validate(root, runtime)
    assert KEPT.search(stderr) is None
    assert "not kept:" in stderr and "is not a private directory of this user" in stderr
    assert list((runtime / "wagents").iterdir()) == []
    assert findings == _validate(root, runtime, "--no-cache")[0]


def test_two_runs_at_once_share_one_kept_zygote(
    tmp_path: Path, runtime: Path, kept_pids: set[int]
) -> None:
    root = _workspace(tmp_path / "ws", 60)
    command = [*wagents_command(), "validate", "--format", "json", "--verbose"]
    runs = [
        subprocess.Popen(
            command,
            cwd=root,
            env={**os.environ, "XDG_RUNTIME_DIR": str(runtime)},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    pids = {_kept(stderr, kept_pids)[1] for _, stderr in outputs}
    assert len(pids) == 1  # one of them started it; the other connected or waited for it
    assert outputs[0][0] == outputs[1][0]
    plain = subprocess.run(
        [*command, "--no-cache"], cwd=root, capture_output=True, text=True, check=False
    )
    assert json.loads(plain.stdout)["findings"] == json.loads(outputs[0][0])["findings"]


def test_a_socket_path_too_long_falls_back_to_a_zygote_of_the_run(
    tmp_path: Path, kept_pids: set[int]
) -> None:
    root = _workspace(tmp_path / "ws", 60)
    runtime = tmp_path / ("deep" * 20)  # the socket's path would pass the 107 bytes of sun_path
    runtime.mkdir(mode=0o700)
    findings, stderr = _validate(root, runtime)
    assert KEPT.search(stderr) is None
    assert "is too long for a Unix socket" in stderr
    assert findings == _validate(root, runtime, "--no-cache")[0]

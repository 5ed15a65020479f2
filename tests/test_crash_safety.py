"""`wagents new` under SIGKILL and under concurrency.

The root pyproject is always the old or the new text (never truncated, comments kept), no
half-made server trips later commands, and a re-run of the killed command works.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest

from wagents.files.toml_edit import register_server
from wagents.testing import run_wagents, scratch_workspace, wagents_command

from .helpers import REPO_ROOT

DECORATED_ROOT = """\
# The workspace root: every comment here must survive every edit.
[project]
name = "crash-test"  # an inline comment
version = "0.1.0"
requires-python = ">=3.11"
dependencies = []

[dependency-groups]
# Servers the root environment installs.
servers = [
    # one per line, please
]

[tool.uv]
default-groups = ["servers"]  # trailing comment

[tool.uv.workspace]
members = [
    "tools/*",  # explicit members, so every run appends one
]

[tool.uv.sources]
# Sources follow.
"""
SERVER_FILES = [
    ".gitignore",
    "README.md",
    "fastmcp.json",
    "mcp-surface.json",
    "pyproject.toml",
    "server.py",
    "tests",
    "tests/test_server.py",
]


def _workspace(root: Path) -> Path:
    scratch_workspace(root, pyproject=DECORATED_ROOT)
    return root


def _registered(text: str, name: str) -> str:
    """The root pyproject after a complete `wagents new NAME` starting from `text`."""
    return register_server(
        text, name=name, member_path=f"mcp/{name}", covered=False, group="servers"
    )


def _comments(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if "#" in line]


def _entries(server: Path) -> list[str]:
    return sorted(path.relative_to(server).as_posix() for path in server.rglob("*"))


def _assert_clean(root: Path) -> None:
    """Nothing a killed run left is visible: validate passes, no scratch or temp files remain."""
    result = run_wagents(
        "validate",
        "--format",
        "json",
        "--select",
        "server-layout",
        "--select",
        "workspace-member",
        "--select",
        "fastmcp-json",
        cwd=root,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert list(root.glob(".pyproject.toml.*")) == []
    scratch = root / ".wagents" / "tmp"
    assert not scratch.exists() or list(scratch.iterdir()) == []
    for server in (root / "mcp").iterdir():
        assert _entries(server) == SERVER_FILES, server.name


@pytest.mark.slow  # one process per kill point
def test_sigkill_before_every_file_operation_of_wagents_new(tmp_path: Path) -> None:
    root = _workspace(tmp_path / "repo")
    completed = subprocess.run(
        [sys.executable, str(REPO_ROOT / "tests" / "killpoints.py"), str(root), "k"],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    records = [json.loads(line) for line in completed.stdout.splitlines()]
    first = records[0]
    assert first["recording"] == 0 and first["status"] == 0 and first["events"] >= 10, first
    attempts = records[1:]
    assert len(attempts) == records[0]["events"]
    outcomes = set()
    for attempt in attempts:
        name, before = attempt["name"], attempt["before"]
        after = _registered(before, name)
        assert attempt["killed_by_signal"], attempt["k"]
        killed = attempt["after_kill"]
        assert killed["pyproject"] in (before, after), f"kill point {attempt['k']}: torn pyproject"
        tomllib.loads(killed["pyproject"])
        outcomes.add("old" if killed["pyproject"] == before else "new")
        finished = killed["server_entries"] == SERVER_FILES and killed["pyproject"] == after
        if finished:  # killed after its last step: the re-run finds the server made
            assert attempt["rerun_exit"] in (0, 2), attempt["k"]
        else:
            assert attempt["rerun_exit"] == 0, f"re-run after kill point {attempt['k']} failed"
        rerun = attempt["after_rerun"]
        assert rerun["pyproject"] == after, attempt["k"]
        assert rerun["server_entries"] == SERVER_FILES, attempt["k"]
        assert rerun["elsewhere"] == first["elsewhere"], f"kill point {attempt['k']} left files"
        assert _comments(rerun["pyproject"])[: len(_comments(before))] == _comments(before)
    assert outcomes == {"old", "new"}, "the kill points missed one side of the commit"
    _assert_clean(root)


#: Delays after `wagents new` starts writing (its staging directory appears) at which the test
#: kills it from outside: the writing takes a few milliseconds, at the end of a run of a second
#: or more (start-up and the probe of the rendered server write nothing).
KILL_DELAYS_MS = (0.0, 1.5, 3.0, 4.5, 6.0)


def _kill_once_writing(process: subprocess.Popen[bytes], prefix: Path, delay: float) -> int:
    """SIGKILL `process` `delay` seconds after a path starting with `prefix` appears (at once
    if it exits first); its exit status."""
    while process.poll() is None:
        if prefix.parent.is_dir() and any(
            path.name.startswith(prefix.name) for path in prefix.parent.iterdir()
        ):
            time.sleep(delay)
            break
        time.sleep(0.0002)
    process.send_signal(signal.SIGKILL)
    return process.wait()


@pytest.mark.slow  # killed runs, each with its re-run
def test_sigkill_while_the_real_command_writes(tmp_path: Path) -> None:
    """The console script, killed from outside at moments spread over the time it writes."""
    root = _workspace(tmp_path / "repo")
    names, statuses = [], []
    for index, delay in enumerate(KILL_DELAYS_MS):
        name = f"r{index}"
        names.append(name)
        before = (root / "pyproject.toml").read_text()
        process = subprocess.Popen(
            [*wagents_command(), "new", name, "--no-sync"],
            cwd=root,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        # `wagents new` stages a server in .wagents/tmp/new-NAME-*/ (scaffold/create.py).
        staging = root / ".wagents" / "tmp" / f"new-{name}-"
        statuses.append(_kill_once_writing(process, staging, delay / 1000))
        text = (root / "pyproject.toml").read_text()
        assert text in (before, _registered(before, name)), f"torn pyproject after {name}"
    for name in names:
        result = run_wagents("new", name, "--no-sync", cwd=root)
        assert result.returncode == 0 or "already exists" in result.stderr, result.stderr
        assert "Traceback" not in result.stderr
    data = tomllib.loads((root / "pyproject.toml").read_text())
    assert set(data["dependency-groups"]["servers"]) == set(names)
    assert -signal.SIGKILL in statuses, statuses  # not vacuous: some were killed while writing
    _assert_clean(root)


@pytest.mark.parametrize(
    "count",
    [3, pytest.param(8, marks=pytest.mark.slow)],  # three already race for the lock
)
def test_concurrent_new_runs_all_land(tmp_path: Path, count: int) -> None:
    root = _workspace(tmp_path / "repo")
    names = [f"c{index}" for index in range(count)]
    processes = [
        subprocess.Popen(
            [*wagents_command(), "new", name, "--no-sync"],
            cwd=root,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "NO_COLOR": "1"},
        )
        for name in names
    ]
    for process in processes:
        stdout, stderr = process.communicate(timeout=300)
        assert process.returncode == 0, stdout + stderr
    text = (root / "pyproject.toml").read_text()
    data = tomllib.loads(text)
    assert sorted(data["dependency-groups"]["servers"]) == names
    assert sorted(data["tool"]["uv"]["workspace"]["members"]) == sorted(
        ["tools/*", *(f"mcp/{name}" for name in names)]
    )
    assert sorted(data["tool"]["uv"]["sources"]) == names
    assert _comments(text) == _comments(DECORATED_ROOT)
    # Outside the edited arrays and tables, the file is the original byte for byte.
    assert text.startswith(DECORATED_ROOT.partition("servers = [")[0])
    _assert_clean(root)

"""The real `wagents validate` at scale: the cache across processes, --changed-since in a real git
repository, --no-cache, --runner, --verbose, and the live count on a terminal."""

from __future__ import annotations

import json
import os
import pty
import subprocess
from pathlib import Path

import pytest

from wagents.probe.scheduler import zygote_unsupported
from wagents.testing import git, invoke_wagents, scratch_workspace, wagents_command

from .helpers import require_tool


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    scratch_workspace(root, ["alpha", "beta", "gamma"], locked=True, surfaces=True)
    source = root / "mcp" / "gamma" / "server.py"
    source.write_text(source.read_text() + '\nraise RuntimeError("gamma is broken")\n')
    return root


def test_two_validations_at_once_share_the_cache_safely(workspace: Path) -> None:
    command = [*wagents_command(), "validate", "--format", "json"]
    processes = [
        subprocess.Popen(
            command,
            cwd=workspace,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [process.communicate(timeout=300) for process in processes]
    assert [process.returncode for process in processes] == [1, 1]
    assert outputs[0][0] == outputs[1][0] and outputs[0][1] == outputs[1][1] == ""
    findings = json.loads(outputs[0][0])["findings"]
    assert [(f["server"], f["rule"]) for f in findings] == [("gamma", "import-check")]

    cache = workspace / ".wagents" / "cache" / "validate"
    for server in ("alpha", "beta", "gamma"):
        entries = list((cache / server).iterdir())
        assert [entry.suffix for entry in entries] == [".json"]  # no temporary file left
        assert json.loads(entries[0].read_text())["server"] == server
    third = invoke_wagents("validate", "--format", "json", "--verbose", cwd=workspace)
    assert third.stdout == outputs[0][0]
    assert "cache: 3 server(s) from .wagents/cache/validate, 0 checked" in third.stderr
    assert "import checks: none to run" in third.stderr


def test_no_cache_reads_and_writes_nothing(workspace: Path) -> None:
    first = invoke_wagents("validate", "--no-cache", "--verbose", cwd=workspace)
    assert first.returncode == 1
    assert "cache: off (--no-cache)" in first.stderr
    assert not (workspace / ".wagents" / "cache").exists()
    invoke_wagents("validate", cwd=workspace)
    entry = next((workspace / ".wagents" / "cache" / "validate" / "gamma").glob("*.json"))
    data = json.loads(entry.read_text())
    data["findings"] = []  # a stale entry saying gamma is fine
    entry.write_text(json.dumps(data))
    assert invoke_wagents("validate", cwd=workspace).returncode == 0
    assert invoke_wagents("validate", "--no-cache", cwd=workspace).returncode == 1


def test_verbose_says_which_runner_ran(workspace: Path) -> None:
    forked = invoke_wagents("validate", "alpha", "--no-cache", "--verbose", cwd=workspace)
    assert forked.returncode == 0
    if zygote_unsupported() is None:
        assert "import checks: forked from a preloaded zygote (pid " in forked.stderr
    else:
        assert "import checks: one fresh process per server" in forked.stderr
    fresh = invoke_wagents(
        "validate", "alpha", "--no-cache", "--runner", "process", "-v", cwd=workspace
    )
    assert "one fresh process per server, 1 at a time (no zygote: --runner process)" in (
        fresh.stderr
    )
    (workspace / "mcp" / "beta" / ".env").write_text("FASTMCP_LOG_LEVEL=DEBUG\n")
    refused = invoke_wagents("validate", "beta", "--no-cache", "-v", "-j", "3", cwd=workspace)
    if zygote_unsupported() is None:
        assert (
            "mcp/beta: checked in a fresh process: it has a .env file, which importing fastmcp "
            "reads" in refused.stderr
        )
    quiet = invoke_wagents("validate", "alpha", cwd=workspace)
    assert quiet.stderr == ""


def test_changed_since_validates_only_what_changed(workspace: Path) -> None:
    require_tool("git")
    git(workspace, "init", "-q", "-b", "main")
    git(workspace, "add", "-A")
    git(workspace, "commit", "-q", "-m", "initial")
    git(workspace, "switch", "-q", "-c", "feature")

    def changed(*extra: str) -> tuple[int, str, str]:
        result = invoke_wagents(
            "validate", "--changed-since", "main", "--select", "fastmcp-json", "-v", *extra,
            cwd=workspace,
        )  # fmt: skip
        return result.returncode, result.stdout, result.stderr

    status, stdout, stderr = changed()
    assert status == 0 and stdout == "All checks passed (0 servers).\n"
    assert "0 server(s) changed since main" in stderr

    (workspace / "mcp" / "beta" / "fastmcp.json").write_text("{")
    git(workspace, "commit", "-qam", "break beta")
    status, stdout, stderr = changed()
    assert status == 1 and "1 server(s) changed since main" in stderr
    assert stdout.startswith("beta\n") and "Checked 1 server:" in stdout
    assert changed("alpha")[1] == "All checks passed (0 servers).\n"

    (workspace / "uv.lock").write_text("version = 1\n")  # untracked, shared: every server
    status, stdout, stderr = changed()
    assert "3 server(s) changed since main" in stderr and "Checked 3 servers:" in stdout

    unknown = invoke_wagents("validate", "--changed-since", "nope", cwd=workspace)
    assert unknown.returncode == 2
    assert unknown.stderr == "error: unknown git ref 'nope'\n"


def test_a_live_count_on_a_terminal_and_silence_elsewhere(workspace: Path) -> None:
    args = ["validate", "--select", "server-layout"]
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [*wagents_command(), *args],
        cwd=workspace,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=terminal,
    )
    os.close(terminal)
    stdout, _ = process.communicate(timeout=300)
    shown = b""
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # EIO: the terminal's other end is closed
            break
        if not chunk:
            break
        shown += chunk
    os.close(controller)
    assert process.returncode == 0
    assert stdout == b"All checks passed (3 servers).\n"
    assert shown.startswith(b"\rvalidating 0/3")
    assert b"\rvalidating 3/3" in shown
    assert shown.endswith(b"\r" + b" " * len(b"validating 3/3") + b"\r")  # erased
    piped = invoke_wagents(*args, cwd=workspace)
    assert piped.stderr == "" and piped.stdout == "All checks passed (3 servers).\n"

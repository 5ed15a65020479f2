"""What a server sees when `wagents validate` imports it: a scrubbed environment, rlimits, a closed
stdin, a sandboxed copy of its own directory as cwd with a HOME and TMPDIR of its own, and a
process of its own. The server reports it in a file."""

from __future__ import annotations

import json
import resource
from pathlib import Path

import pytest

from wagents.probe.environment import ENV_ALLOWLIST
from wagents.probe.sandbox import XDG_DIRS
from wagents.testing import run_wagents, scratch_workspace

SNOOP = """\
import json
import os
import resource
import sys
from pathlib import Path

report = {
    "environ": dict(os.environ),
    "cwd": os.getcwd(),
    "pid": os.getpid(),
    "pgid": os.getpgid(0),
    "sid": os.getsid(0),
    "rlimit_cpu": resource.getrlimit(resource.RLIMIT_CPU),
    "rlimit_as": resource.getrlimit(resource.RLIMIT_AS),
    "stdin_is_tty": os.isatty(0),
    "sys_path_0": sys.path[0],
    "home": str(Path.home()),
}
Path(REPORT).write_text(json.dumps(report))

from fastmcp import FastMCP

mcp = FastMCP("Snoop")
"""


SECRETS = {
    "WAGENTS_TEST_SECRET": "hunter2",
    "GITHUB_TOKEN": "ghp_not_a_real_token",
    "AWS_SECRET_ACCESS_KEY": "not-a-real-key",
    "PYTHONPATH": "/somewhere/else",
}


@pytest.fixture(scope="module")
def seen(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """What a server reported about its own process, validated with secrets in the environment."""
    tmp_path = tmp_path_factory.mktemp("snoop")
    root = tmp_path / "repo"
    scratch_workspace(root, ["snoop"])
    report = tmp_path / "report.json"
    server = root / "mcp" / "snoop" / "server.py"
    server.write_text(f"REPORT = {str(report)!r}\n" + SNOOP)
    result = run_wagents(
        "validate",
        "--select",
        "import-check",
        "--format",
        "json",
        "--timeout",
        "20",
        cwd=root,
        env=SECRETS,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(report.read_text()) | {"server_dir": str(server.parent)}


def test_the_probe_gets_a_scrubbed_environment_and_no_secrets(seen: dict) -> None:
    environ = seen["environ"]
    for name, value in SECRETS.items():
        assert name not in environ
        assert value not in json.dumps(environ)
    allowed = (
        set(ENV_ALLOWLIST)
        | set(XDG_DIRS)
        | {
            "PYTHONDONTWRITEBYTECODE",
            "PYTHONUNBUFFERED",
            "PYTHONIOENCODING",
            "FASTMCP_LOG_LEVEL",
            "FASTMCP_SHOW_CLI_BANNER",
        }
    )
    unexpected = {key for key in environ if key not in allowed and not key.startswith("LC_")}
    assert not unexpected, unexpected


def test_home_xdg_and_tmpdir_are_the_sandbox_s_not_the_user_s(seen: dict) -> None:
    environ = seen["environ"]
    sandbox = Path(seen["cwd"]).parents[2]  # <sandbox>/ws/mcp/snoop
    assert sandbox.name.startswith("wagents-probe-")
    assert Path(seen["home"]) == Path(environ["HOME"]) == sandbox / "home"
    assert environ["HOME"] != str(Path.home())
    assert Path(environ["TMPDIR"]) == sandbox / "tmp"
    for name, relative in XDG_DIRS.items():
        assert Path(environ[name]) == sandbox / "home" / relative
    assert not sandbox.exists(), "the sandbox is removed after the probe"


def test_the_probe_runs_limited_in_its_own_session_in_a_copy_of_the_server(seen: dict) -> None:
    """The copy sits at the server's own path relative to the workspace root (mcp/NAME)."""
    cwd = Path(seen["cwd"])
    assert cwd != Path(seen["server_dir"])
    assert cwd.parts[-2:] == Path(seen["server_dir"]).parts[-2:] == ("mcp", "snoop")
    assert cwd.parent.parent.name == "ws"
    assert Path(seen["sys_path_0"]) == cwd
    assert seen["pgid"] == seen["pid"] == seen["sid"], "not its own session and process group"
    assert seen["rlimit_cpu"][0] == 20 + 5
    assert seen["rlimit_as"][0] == 4 * 1024**3
    assert seen["rlimit_as"][0] != resource.RLIM_INFINITY
    assert seen["stdin_is_tty"] is False


def test_stdin_holds_nothing_but_end_of_file_for_the_server(tmp_path: Path) -> None:
    """A server blocking on stdin would hang until the timeout; it reads an empty line then EOF
    instead, and is reported (see corpus case hostile-read-stdin)."""
    root = tmp_path / "repo"
    scratch_workspace(root, ["reader"])
    server = root / "mcp" / "reader" / "server.py"
    report = tmp_path / "stdin.json"
    server.write_text(
        "import json, sys\n"
        "lines = sys.stdin.readlines()\n"
        f"open({str(report)!r}, 'w').write(json.dumps(lines))\n"
        "from fastmcp import FastMCP\n"
        "mcp = FastMCP('Reader')\n"
    )
    result = run_wagents("validate", "--format", "json", "--timeout", "20", cwd=root)
    assert json.loads(report.read_text()) == ["\n"]
    assert result.returncode == 1
    messages = [f["message"] for f in json.loads(result.stdout)["findings"]]
    assert any("reads stdin while being imported" in message for message in messages), messages

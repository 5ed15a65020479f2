"""`wagents list`, `inspect`, `call` and `dev`, through the real CLI on scaffolded servers."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from wagents.testing import invoke_wagents, run_wagents, scratch_workspace


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`alpha` as scaffolded (one tool, `echo`), `beta` with a resource, a prompt and HTTP, and
    `broken`, whose module raises at import."""
    root = tmp_path_factory.mktemp("devtools") / "repo"
    scratch_workspace(root, ["alpha", "beta", "broken"])
    beta = root / "mcp" / "beta"
    (beta / "server.py").write_text(
        (beta / "server.py")
        .read_text()
        .replace(
            "@mcp.custom_route(",
            '@mcp.resource("data://greeting", mime_type="text/plain")\n'
            "def greeting() -> str:\n"
            '    """A fixed greeting."""\n'
            '    return "hello"\n\n\n'
            "@mcp.prompt\n"
            "def review(code: str) -> str:\n"
            '    """Ask for a code review."""\n'
            '    return f"Review this: {code}"\n\n\n'
            "@mcp.custom_route(",
        )
    )
    config = beta / "fastmcp.json"
    config.write_text(config.read_text().replace('"stdio"', '"http"'))
    broken = root / "mcp" / "broken" / "server.py"
    broken.write_text(
        broken.read_text().replace(
            "mcp = FastMCP(", 'raise RuntimeError("no database configured")\nmcp = FastMCP(', 1
        )
    )
    return root


def test_list_text(workspace: Path) -> None:
    result = invoke_wagents("list", cwd=workspace)
    assert result.returncode == 0, result.stderr
    header, alpha, beta, broken = result.stdout.splitlines()
    assert header.split() == ["SERVER", "TRANSPORT", "TOOLS", "TOKENS", "DESCRIPTION"]
    assert alpha.split()[:3] == ["alpha", "stdio", "1"]
    assert beta.split()[:3] == ["beta", "http", "1"]
    assert broken.split()[:4] == ["broken", "stdio", "-", "-"]
    # The estimate of the one `echo` tool: its compact JSON's characters / 4, rounded up.
    assert alpha.split()[3] == beta.split()[3] and alpha.split()[3].startswith("~")
    assert 20 < int(alpha.split()[3][1:]) < 200
    assert "[exception: RuntimeError: no database configured]" in broken


def test_list_json_and_names(workspace: Path) -> None:
    result = invoke_wagents("list", "beta", "broken", "--format", "json", cwd=workspace)
    assert result.returncode == 0, result.stderr
    beta, broken = json.loads(result.stdout)
    assert beta | {"description": None} == {
        "name": "beta",
        "path": "mcp/beta",
        "description": None,
        "transport": "http",
        "tools": 1,
        "resources": 1,
        "templates": 0,
        "prompts": 1,
        "tokens": beta["tokens"],
        "status": "ok",
        "message": None,
    }
    assert isinstance(beta["tokens"], int) and beta["tokens"] > 0
    assert (broken["name"], broken["tools"], broken["status"]) == ("broken", None, "exception")


def test_inspect_text_shows_components_and_schemas(workspace: Path) -> None:
    result = invoke_wagents("inspect", "beta", cwd=workspace)
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert text.startswith("Beta (")
    listed = json.loads(run_wagents("list", "beta", "--format", "json", cwd=workspace).stdout)
    tokens = listed[0]["tokens"]  # inspect and list estimate the same definition alike
    assert f"\nTools (1, ~{tokens} tokens)\n  echo  (~{tokens} tokens)\n" in text
    assert "annotations: readOnlyHint=true" in text
    assert '"description": "The text to send back unchanged."' in text  # the input schema
    assert "\nResources (1)\n  data://greeting  greeting  (text/plain)\n" in text
    assert "\nPrompts (1)\n  review\n    Ask for a code review.\n" in text
    assert "argument code (required)" in text


@pytest.mark.parametrize("report_format", ["fastmcp", "mcp"])
def test_inspect_json_is_fastmcps_report(workspace: Path, report_format: str) -> None:
    result = invoke_wagents("inspect", "alpha", "--format", report_format, cwd=workspace)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    tools = report["tools"]
    assert [tool["name"] for tool in tools] == ["echo"]
    schema = tools[0]["input_schema" if report_format == "fastmcp" else "inputSchema"]
    assert schema["required"] == ["text"]


def test_inspect_a_broken_server_exits_1(workspace: Path) -> None:
    result = invoke_wagents("inspect", "broken", cwd=workspace)
    assert result.returncode == 1
    assert result.stdout == ""
    assert "no database configured" in result.stderr
    assert result.stderr.endswith("error: fastmcp inspect could not load broken\n")


def test_call_a_tool_over_stdio(workspace: Path) -> None:
    result = run_wagents("call", "alpha", "echo", '{"text": "hello over stdio"}', cwd=workspace)
    assert result.returncode == 0, result.stderr
    assert "hello over stdio" in result.stdout


def test_call_json_result(workspace: Path) -> None:
    result = run_wagents("call", "alpha", "echo", '{"text": "x"}', "--json", cwd=workspace)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["is_error"] is False
    assert document["structured_content"] == {"result": "x"}


def test_call_an_http_server_still_uses_stdio(workspace: Path) -> None:
    result = run_wagents("call", "beta", "data://greeting", cwd=workspace)
    assert result.returncode == 0, result.stderr
    assert "hello" in result.stdout
    prompt = run_wagents("call", "beta", "review", '{"code": "x = 1"}', "--prompt", cwd=workspace)
    assert prompt.returncode == 0, prompt.stderr
    assert "Review this: x = 1" in prompt.stdout


def test_call_an_unknown_tool_exits_1(workspace: Path) -> None:
    result = run_wagents("call", "alpha", "ecko", cwd=workspace)
    assert result.returncode == 1
    assert "ecko" in result.stdout + result.stderr
    assert "echo" in result.stdout + result.stderr  # fastmcp suggests the close match


def test_dev_dry_run_builds_the_inspector_command(workspace: Path) -> None:
    result = invoke_wagents("dev", "alpha", "--dry-run", "--ui-port", "6399", cwd=workspace)
    assert result.returncode == 0, result.stderr
    cd_line, command = result.stdout.splitlines()
    assert cd_line == f"cd {workspace / 'mcp' / 'alpha'}"
    assert command.split()[1:] == [
        "-m",
        "fastmcp.cli",
        "dev",
        "inspector",
        "server.py:mcp",
        "--ui-port",
        "6399",
    ]
    assert Path(command.split()[0]).name.startswith("python")


def test_dev_without_npx_is_one_line(workspace: Path) -> None:
    result = invoke_wagents(
        "dev", "alpha", cwd=workspace, env={"PATH": str(Path(sys.executable).parent)}
    )
    assert result.returncode == 2
    assert result.stderr == "error: wagents dev needs npx (Node.js) to start the MCP Inspector\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["inspect", "nope"], "error: no server named nope under mcp/"),
        (["call", "nope", "echo"], "error: no server named nope under mcp/"),
        (["dev", "nope"], "error: no server named nope under mcp/"),
        (["list", "nope"], "error: no server named nope under mcp/"),
        (["call", "alpha", "echo", "{not json"], "error: ARGUMENTS is not valid JSON"),
        (["call", "alpha", "echo", "[1, 2]"], "error: ARGUMENTS must be a JSON object"),
        (["call", "alpha"], "error: Missing argument 'target'"),
        (["inspect", "alpha", "--format", "yaml"], "error: Invalid value for '--format'"),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(
    workspace: Path, args: list[str], message: str
) -> None:
    result = invoke_wagents(*args, cwd=workspace)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stdout == ""
    assert result.stderr.startswith(message)
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("command", ["list", "inspect", "call", "dev", "matrix"])
def test_help(command: str, workspace: Path) -> None:
    result = invoke_wagents(command, "--help", cwd=workspace)
    assert result.returncode == 0
    assert "Usage: wagents" in result.stdout

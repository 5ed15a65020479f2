"""`wagents validate` and `wagents rules`: exit codes, formats, selection.

They run in-process (`invoke_wagents`); the first test proves that this is what the console script
prints, by running the same commands both ways.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wagents.testing import invoke_wagents, run_wagents, scratch_workspace


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two servers: `good` as scaffolded, `bad` with a typo in fastmcp.json and a missing dep."""
    root = tmp_path_factory.mktemp("validate") / "repo"
    scratch_workspace(root, ["good", "bad"], locked=True, surfaces=True)
    config = root / "mcp" / "bad" / "fastmcp.json"
    data = json.loads(config.read_text())
    data["enviroment"] = data.pop("environment")
    config.write_text(json.dumps(data, indent=2))
    return root


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--version"],
        ["validate", "--help"],
        ["validate", "--format", "json"],
        ["validate", "good"],
        ["validate", "--format", "xml"],
        ["validate", "nope"],
        ["rules", "lockfile"],
        ["no-such-command"],
        ["new", "Bad Name"],
    ],
    ids=lambda args: " ".join(args) or "bare",
)
def test_in_process_runs_print_what_the_console_script_prints(
    workspace: Path, args: list[str]
) -> None:
    real = run_wagents(*args, cwd=workspace)
    in_process = invoke_wagents(*args, cwd=workspace)
    assert (in_process.returncode, in_process.stdout, in_process.stderr) == (
        real.returncode,
        real.stdout,
        real.stderr,
    )


def test_errors_exit_1_with_findings_grouped_by_server(workspace: Path) -> None:
    result = invoke_wagents("validate", cwd=workspace)
    assert result.returncode == 1
    assert result.stdout.startswith("bad\n")
    assert "error[fastmcp-json] mcp/bad/fastmcp.json:" in result.stdout
    assert "did you mean 'environment'?" in result.stdout
    assert "error[dependency-parity]" in result.stdout
    assert "good" not in result.stdout.split("\n\n")[0]
    assert result.stdout.rstrip().endswith("Checked 2 servers: 2 errors, 0 warnings, 0 info.")


def test_json_format_has_the_documented_shape(workspace: Path) -> None:
    result = invoke_wagents("validate", "--format", "json", cwd=workspace)
    assert result.returncode == 1
    document = json.loads(result.stdout)
    assert set(document) == {"findings", "summary"}
    assert document["summary"] == {"servers": 2, "errors": 2, "warnings": 0, "info": 0}
    for finding in document["findings"]:
        assert set(finding) == {"server", "rule", "severity", "message", "path", "line"}
        assert finding["server"] == "bad"


def test_named_servers_and_select(workspace: Path) -> None:
    good = invoke_wagents("validate", "good", cwd=workspace)
    assert good.returncode == 0
    assert good.stdout == "All checks passed (1 server).\n"
    selected = invoke_wagents(
        "validate", "bad", "--select", "dependency-parity", "-f", "json", cwd=workspace
    )
    assert [f["rule"] for f in json.loads(selected.stdout)["findings"]] == ["dependency-parity"]
    ignored = invoke_wagents(
        "validate",
        "bad",
        "--ignore",
        "dependency-parity",
        "--ignore",
        "fastmcp-json",
        cwd=workspace,
    )
    assert ignored.returncode == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["validate", "nope"], "error: no server named nope under mcp/ (servers: bad, good)"),
        (["validate", "--select", "no-such-rule"], "error: unknown rule no-such-rule"),
        (["validate", "--format", "xml"], "error: Invalid value for '--format'"),
        (["validate", "--jobs", "0"], "error: Invalid value for '--jobs'"),
        (["rules", "no-such-rule"], "error: unknown rule 'no-such-rule'"),
        (["no-such-command"], "error: No such command 'no-such-command'"),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(
    workspace: Path, args: list[str], message: str
) -> None:
    result = invoke_wagents(*args, cwd=workspace)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith(message)
    assert len(result.stderr.strip().splitlines()) == 1


def test_rules_lists_and_documents_every_rule(workspace: Path) -> None:
    from wagents.check.rules import all_rules

    listed = invoke_wagents("rules", cwd=workspace)
    assert listed.returncode == 0
    assert [line.split()[0] for line in listed.stdout.splitlines()] == list(all_rules())
    documented = invoke_wagents("rules", "dependency-parity", cwd=workspace)
    assert documented.returncode == 0
    assert documented.stdout.startswith("dependency-parity (error, dependencies)")
    assert "Bad:" in documented.stdout and "Good:" in documented.stdout


def test_every_command_has_help_and_the_cli_a_version(workspace: Path) -> None:
    from wagents import __version__

    assert invoke_wagents("--version", cwd=workspace).stdout == f"wagents {__version__}\n"
    from wagents.cli.app import app

    commands = [info.name or info.callback.__name__ for info in app.registered_commands]
    assert {"new", "validate", "rules", "test", "config", "serve", "docker", "matrix"} <= set(
        commands
    )
    for command in commands:
        result = invoke_wagents(command, "--help", cwd=workspace)
        assert result.returncode == 0 and "Usage:" in result.stdout, command


def test_help_paragraphs_are_reflowed_to_the_terminal() -> None:
    """Typer keeps a docstring's line breaks; each paragraph must be one line so that it wraps."""
    from wagents.cli.app import app, reflow

    assert (
        reflow("First line.\n\n    Second\n    paragraph.\n") == "First line.\n\nSecond paragraph."
    )
    for info in app.registered_commands:
        assert info.help, info.name
        for paragraph in info.help.split("\n\n"):
            assert "\n" not in paragraph, (info.name, paragraph)


def test_files_mode_checks_the_servers_holding_the_files(workspace: Path) -> None:
    """`validate --files` (the pre-commit hook's entry): paths, not names."""
    bad = invoke_wagents(
        "validate", "--files", "mcp/bad/fastmcp.json", "mcp/bad/README.md", cwd=workspace
    )
    assert bad.returncode == 1
    assert bad.stdout.rstrip().endswith("Checked 1 server: 2 errors, 0 warnings, 0 info.")
    good = invoke_wagents("validate", "--files", "server.py", cwd=workspace / "mcp" / "good")
    assert (good.returncode, good.stdout) == (0, "All checks passed (1 server).\n")
    nothing = invoke_wagents("validate", "--files", "notes.txt", cwd=workspace)
    assert (nothing.returncode, nothing.stdout) == (0, "All checks passed (0 servers).\n")
    shared = invoke_wagents("validate", "--files", "pyproject.toml", cwd=workspace)
    assert "Checked 2 servers" in shared.stdout

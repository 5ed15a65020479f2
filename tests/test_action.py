"""The reusable composite action (action.yml): valid, hardened, and its scripts run for real."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from wagents.testing import scratch_workspace

from .helpers import REPO_ROOT, require_tool
from .test_workflow import PINNED, run_step, zizmor_findings

ACTION = REPO_ROOT / "action.yml"


@pytest.fixture(scope="module")
def action() -> dict[str, Any]:
    return yaml.safe_load(ACTION.read_text(encoding="utf-8"))


def test_valid_against_the_github_action_schema() -> None:
    check_jsonschema = require_tool("check-jsonschema")
    result = subprocess.run(
        [check_jsonschema, "--builtin-schema", "vendor.github-actions", str(ACTION)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_zizmor_finds_nothing_of_high_severity() -> None:
    findings = zizmor_findings(ACTION)
    high = [f["ident"] for f in findings if f["determinations"]["severity"] == "High"]
    assert high == []


def test_composite_with_pinned_actions_and_no_templates_in_scripts(action: dict[str, Any]) -> None:
    assert action["runs"]["using"] == "composite"
    assert set(action["inputs"]) >= {"working-directory", "args", "summary", "sarif"}
    uses = [line for line in ACTION.read_text().splitlines() if re.match(r"^\s*(-\s+)?uses:", line)]
    assert uses and all(PINNED.match(line) for line in uses), uses
    for step in action["runs"]["steps"]:
        assert "${{" not in step.get("run", ""), step.get("name")  # inputs arrive through env:


def test_the_readme_shows_the_snippet() -> None:
    readme = (REPO_ROOT / "README.md").read_text()
    assert "uses: OWNER/REPO@" in readme and "sarif: wagents.sarif" in readme


def run_action(action: dict[str, Any], root: Path, tmp_path: Path, **inputs: str) -> dict[str, Any]:
    """Run the action's shell steps as the runner would: inputs through the steps' env."""
    values = {
        "working-directory": ".",
        "args": "",
        "summary": "true",
        "sarif": "",
        **inputs,
    }
    summary, output = tmp_path / "summary.md", tmp_path / "output.txt"
    summary.write_text("")
    output.write_text("")
    outcome: dict[str, Any] = {}
    for step in action["runs"]["steps"]:
        if "run" not in step:
            continue
        env = {}
        for key, value in step.get("env", {}).items():
            match = re.fullmatch(r"\$\{\{ inputs\.([\w-]+) \}\}", value)
            env[key] = values[match[1]] if match else value
        env["WAGENTS_ACTION_PATH"] = str(REPO_ROOT)  # `${{ github.action_path }}`
        result = run_step(
            step["run"], root, GITHUB_STEP_SUMMARY=str(summary), GITHUB_OUTPUT=str(output), **env
        )
        outcome[step["name"]] = result
        if result.returncode != 0:
            break
    outcome["summary"] = summary.read_text()
    outcome["outputs"] = dict(line.split("=", 1) for line in output.read_text().splitlines())
    return outcome


@pytest.mark.slow
def test_the_action_in_a_workspace_without_wagents(action: dict[str, Any], tmp_path: Path) -> None:
    """A scratch workspace that does not depend on wagents: the action brings its own copy."""
    root = tmp_path / "caller"
    scratch_workspace(root, ["demo"], locked=True)
    # The snapshot is taken in the caller's own environment, as its developers take it: what a
    # server advertises depends on what is installed (fastmcp offers tasks only with its extra).
    taken = run_step(
        "uv sync --locked --quiet && uv run --locked --no-sync "
        f'--with-editable "{REPO_ROOT}/tools/wagents" wagents surface --write demo',
        root,
    )
    assert taken.returncode == 0, taken.stdout + taken.stderr
    clean = run_action(action, root, tmp_path, sarif="out.sarif", args="demo")
    step = clean["wagents validate"]
    assert step.returncode == 0, step.stdout + step.stderr
    assert clean["outputs"] == {"exit-code": "0"}
    assert clean["summary"].startswith("### ✅ wagents validate")
    assert json.loads((root / "out.sarif").read_text())["version"] == "2.1.0"

    with (root / "mcp" / "demo" / "server.py").open("a") as server:
        server.write("\nprint('at import')\n")
    broken = run_action(action, root, tmp_path, summary="false")
    step = broken["wagents validate"]
    assert step.returncode == 1
    assert "::error file=mcp/demo/server.py" in step.stdout and "stdout-at-import" in step.stdout
    assert broken["outputs"] == {"exit-code": "1"}
    assert broken["summary"] == ""  # summary: "false"

    usage = run_action(action, root, tmp_path, args="no-such-server")
    assert usage["wagents validate"].returncode == 2

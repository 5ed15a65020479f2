"""The GitHub Actions workflow: valid, hardened, and planning a matrix that covers every server."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from wagents.testing import copy_repository, git
from wagents.workspace.root import Workspace

from .helpers import REPO_ROOT, require_tool

WORKFLOWS = sorted((REPO_ROOT / ".github" / "workflows").glob("*.yml"))
CI = REPO_ROOT / ".github" / "workflows" / "ci.yml"
#: `uses: owner/repo[/path]@<40 hex> # vX.Y.Z`
PINNED = re.compile(r"^\s*(?:-\s+)?uses:\s+[\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+\s*$")


def load(path: Path) -> dict[Any, Any]:
    # PyYAML reads the key `on` as the boolean True (YAML 1.1); give it its name back.
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if True in data:
        data["on"] = data.pop(True)
    return data


def steps(workflow: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(job_id, step) for job_id, job in workflow["jobs"].items() for step in job["steps"]]


def validate_markdown(step: dict[str, Any]) -> bool:
    """The server job's step that appends `wagents validate`'s Markdown to the summary."""
    return "wagents validate" in step.get("run", "") and "--format markdown" in step.get("run", "")


@pytest.fixture(scope="module")
def ci() -> dict[str, Any]:
    return load(CI)


def test_there_is_a_workflow() -> None:
    assert CI in WORKFLOWS


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda path: path.name)
def test_valid_against_the_github_workflow_schema(path: Path) -> None:
    check_jsonschema = require_tool("check-jsonschema")
    result = subprocess.run(
        [check_jsonschema, "--builtin-schema", "vendor.github-workflows", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def zizmor_findings(*paths: Path) -> list[dict[str, Any]]:
    zizmor = require_tool("zizmor")
    result = subprocess.run(
        [zizmor, "--offline", "--no-progress", "--format", "json", *map(str, paths)],
        capture_output=True,
        text=True,
        check=False,
    )
    # zizmor exits non-zero when it finds something; a crash prints no JSON.
    assert result.stdout.strip().startswith("["), result.stderr
    return json.loads(result.stdout)


def test_zizmor_finds_nothing_of_medium_or_high_severity() -> None:
    findings = zizmor_findings(*WORKFLOWS)
    serious = [
        f"{finding['ident']} ({finding['determinations']['severity']}): {finding['desc']}"
        for finding in findings
        if finding["determinations"]["severity"] in {"High", "Medium"}
    ]
    assert serious == []


def test_zizmor_would_catch_an_unhardened_workflow(tmp_path: Path) -> None:
    """The audit above can fail: the classic mistakes are reported as high severity."""
    bad = tmp_path / ".github" / "workflows" / "bad.yml"
    bad.parent.mkdir(parents=True)
    bad.write_text(
        "on: pull_request_target\n"
        "jobs:\n"
        "  x:\n"
        "    runs-on: ubuntu-latest\n"
        "    steps:\n"
        "      - uses: actions/checkout@v4\n"
        '      - run: echo "${{ github.event.pull_request.title }}"\n'
    )
    high = {
        finding["ident"]
        for finding in zizmor_findings(bad)
        if finding["determinations"]["severity"] == "High"
    }
    assert {"dangerous-triggers", "template-injection", "unpinned-uses"} <= high


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda path: path.name)
def test_every_action_is_pinned_by_commit_with_its_version(path: Path) -> None:
    lines = [line for line in path.read_text().splitlines() if re.match(r"^\s*(-\s+)?uses:", line)]
    assert lines
    assert [line for line in lines if not PINNED.match(line)] == []


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda path: path.name)
def test_permissions_credentials_and_triggers(path: Path) -> None:
    workflow = load(path)
    assert workflow["permissions"] == {}
    assert "pull_request_target" not in workflow["on"]
    assert "workflow_run" not in workflow["on"]
    for job_id, job in workflow["jobs"].items():
        assert "permissions" in job, f"{job_id} must state its permissions"
        writes = {scope for scope, level in job["permissions"].items() if level == "write"}
        assert writes <= ({"security-events"} if job_id == "code-scanning" else set()), job_id
    for job_id, step in steps(workflow):
        if step.get("uses", "").startswith("actions/checkout@"):
            assert step["with"]["persist-credentials"] is False, job_id
        # Event data reaches scripts through env:, never by template expansion into the script.
        assert "${{" not in step.get("run", ""), f"{job_id}: {step.get('name')}"


def test_uv_cache_is_keyed_on_the_lock_file(ci: dict[str, Any]) -> None:
    setups = [step for _, step in steps(ci) if step.get("uses", "").startswith("astral-sh/")]
    assert len(setups) == 4
    for step in setups:
        assert step["with"]["enable-cache"] is True
        assert step["with"]["cache-dependency-glob"] == "uv.lock"


def test_superseded_runs_are_cancelled(ci: dict[str, Any]) -> None:
    assert ci["concurrency"]["cancel-in-progress"] is True
    assert "github.ref" in ci["concurrency"]["group"]


def test_matrix_job_runs_the_documented_commands(ci: dict[str, Any]) -> None:
    plan, server = ci["jobs"]["plan"], ci["jobs"]["server"]
    assert server["strategy"]["matrix"] == "${{ fromJSON(needs.plan.outputs.matrix) }}"
    assert server["if"] == "needs.plan.outputs.has-servers == 'true'"
    assert plan["outputs"]["matrix"] == "${{ steps.plan.outputs.matrix }}"
    runs = [step.get("run", "") for step in server["steps"]]
    assert 'uv run --locked wagents validate "$SERVER" --live --format github' in runs
    assert 'uv run --locked wagents test "$SERVER"' in runs
    (summary,) = [step for step in server["steps"] if validate_markdown(step)]
    assert summary["if"] == "${{ !cancelled() }}"  # errors found above must still be summarized
    assert '--format markdown >> "$GITHUB_STEP_SUMMARY"' in summary["run"]
    # the same options as the validate step, so that it reads that step's cached result
    assert 'validate "$SERVER" --live --format markdown' in summary["run"]
    for step in server["steps"]:
        if "$SERVER" in step.get("run", ""):
            assert step["env"]["SERVER"] == "${{ matrix.server }}"


def test_pull_requests_plan_changed_servers_from_the_base_sha(ci: dict[str, Any]) -> None:
    (step,) = [step for step in ci["jobs"]["plan"]["steps"] if step.get("id") == "plan"]
    assert step["env"]["BASE_SHA"] == "${{ github.event.pull_request.base.sha }}"
    assert '--changed-since "$BASE_SHA"' in step["run"]
    checkout = ci["jobs"]["plan"]["steps"][0]
    assert checkout["with"]["fetch-depth"] == 0  # the merge base must be in the clone


def test_code_scanning_only_on_main(ci: dict[str, Any]) -> None:
    job = ci["jobs"]["code-scanning"]
    assert job["if"] == "github.event_name == 'push' && github.ref == 'refs/heads/main'"
    uploads = [s for s in job["steps"] if "upload-sarif" in s.get("uses", "")]
    assert uploads and uploads[0]["with"]["sarif_file"] == "wagents.sarif"
    assert "wagents validate --format sarif > wagents.sarif" in job["steps"][2]["run"]
    assert ci["on"]["push"]["branches"] == ["main"]


def test_checks_job_runs_the_ci_script(ci: dict[str, Any]) -> None:
    assert [s.get("run") for s in ci["jobs"]["checks"]["steps"] if "run" in s] == ["bash .ci/run"]


# -- the plan step, run for real ----------------------------------------------------------------


def run_step(script: str, root: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Run a step's script as the runner does (`bash -e` in the workspace) with `env` added."""
    require_tool("uv")
    environment = {key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"}
    environment.update(env)
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=root,
        env=environment,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def run_plan_step(ci: dict[str, Any], root: Path, event: str, base_sha: str = "") -> dict[str, str]:
    """Run the plan step's script as the runner would (bash -e) and return its outputs."""
    (step,) = [step for step in ci["jobs"]["plan"]["steps"] if step.get("id") == "plan"]
    output = root / "github-output.txt"
    output.write_text("")
    result = run_step(
        step["run"], root, EVENT_NAME=event, BASE_SHA=base_sha, GITHUB_OUTPUT=str(output)
    )
    assert result.returncode == 0, result.stderr
    return dict(line.split("=", 1) for line in output.read_text().splitlines())


def test_the_summary_step_writes_markdown_and_passes_on_findings(
    ci: dict[str, Any], tmp_path: Path
) -> None:
    """Errors fail the validate step, not this one: the summary still shows them."""
    (step,) = [s for s in ci["jobs"]["server"]["steps"] if validate_markdown(s)]
    root = copy_repository(REPO_ROOT, tmp_path / "repo")
    server = Workspace.find(root).servers()[0]
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    clean = run_step(step["run"], root, SERVER=server.name, GITHUB_STEP_SUMMARY=str(summary))
    assert clean.returncode == 0, clean.stderr
    assert summary.read_text().startswith("earlier step\n### ✅ wagents validate\n")

    with (server.path / server_source(server.path)).open("a") as source:
        source.write("\nprint('at import')\n")
    broken = run_step(step["run"], root, SERVER=server.name, GITHUB_STEP_SUMMARY=str(summary))
    assert broken.returncode == 0, broken.stderr
    text = summary.read_text()
    assert "### ❌ wagents validate" in text and "stdout-at-import" in text

    failed = run_step(step["run"], root, SERVER="no-such-server", GITHUB_STEP_SUMMARY=str(summary))
    assert failed.returncode == 2  # bad usage is not a finding: the step fails


def server_source(server_dir: Path) -> str:
    return json.loads((server_dir / "fastmcp.json").read_text())["source"]["path"]


def planned_servers(outputs: dict[str, str]) -> list[str]:
    return [entry["server"] for entry in json.loads(outputs["matrix"])["include"]]


def test_a_push_plans_every_server(ci: dict[str, Any], tmp_path: Path) -> None:
    # A copy: the step writes plan.txt and the output file into its working directory.
    root = copy_repository(REPO_ROOT, tmp_path / "repo")
    outputs = run_plan_step(ci, root, "push")
    servers = [server.name for server in Workspace.find(root).servers()]
    assert len(servers) >= 2  # this repository's and the bystander
    assert planned_servers(outputs) == servers
    assert outputs["has-servers"] == "true"


def test_pull_requests_plan_changed_servers(ci: dict[str, Any], tmp_path: Path) -> None:
    """In a copy of this repository: nothing, one server, then the workflow itself changed."""
    require_tool("git")
    root = copy_repository(REPO_ROOT, tmp_path / "repo")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    base = git(root, "rev-parse", "HEAD").strip()
    git(root, "switch", "-q", "-c", "pr")

    nothing = run_plan_step(ci, root, "pull_request", base)
    assert nothing == {"matrix": '{"include":[]}', "has-servers": "false", "count": "0"}

    server = Workspace.find(root).servers()[0]
    (server.path / "README.md").write_text("changed\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "one server")
    assert planned_servers(run_plan_step(ci, root, "pull_request", base)) == [server.name]

    with (root / ".github" / "workflows" / "ci.yml").open("a") as workflow:
        workflow.write("# changed\n")
    git(root, "commit", "-q", "-am", "the workflow")
    everything = planned_servers(run_plan_step(ci, root, "pull_request", base))
    assert everything == [server.name for server in Workspace.find(root).servers()]


# -- the aggregator, run for real ---------------------------------------------------------------

OK = {"result": "success", "outputs": {}}
SKIPPED = {"result": "skipped", "outputs": {}}


def needs(plan: str = "success", has_servers: str = "true", **results: str) -> dict[str, Any]:
    jobs: dict[str, Any] = {
        "plan": {"result": plan, "outputs": {"has-servers": has_servers} if has_servers else {}},
        "server": OK,
        "checks": OK,
        "code-scanning": SKIPPED,
    }
    for job, result in results.items():
        jobs[job.replace("_", "-")] = {"result": result, "outputs": {}}
    return jobs


@pytest.mark.parametrize(
    ("event", "ref", "jobs", "passes"),
    [
        ("pull_request", "refs/pull/1/merge", needs(), True),
        ("pull_request", "refs/pull/1/merge", needs(has_servers="false", server="skipped"), True),
        ("pull_request", "refs/pull/1/merge", needs(server="failure"), False),
        ("pull_request", "refs/pull/1/merge", needs(server="cancelled"), False),
        ("pull_request", "refs/pull/1/merge", needs(server="skipped"), False),
        ("pull_request", "refs/pull/1/merge", needs(checks="failure"), False),
        ("pull_request", "refs/pull/1/merge", needs("failure", "", server="skipped"), False),
        ("push", "refs/heads/main", needs(code_scanning="success"), True),
        ("push", "refs/heads/main", needs(), False),  # code scanning skipped on main
        ("push", "refs/heads/main", needs(code_scanning="failure"), False),
    ],
)
def test_aggregator(
    ci: dict[str, Any], event: str, ref: str, jobs: dict[str, Any], passes: bool
) -> None:
    job = ci["jobs"]["ci-ok"]
    assert job["if"] == "always()"
    assert set(job["needs"]) == set(ci["jobs"]) - {"ci-ok"}
    (step,) = job["steps"]
    assert step["shell"] == "python"
    result = subprocess.run(
        [sys.executable, "-c", step["run"]],
        env={**os.environ, "NEEDS": json.dumps(jobs), "EVENT_NAME": event, "REF": ref},
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode == 0) is passes, result.stdout + result.stderr
    if not passes:
        assert "::error::ci-ok:" in result.stdout

"""Golden cases: tests/cases/<rule>/<case>/ holds the files that differ from a fresh scaffold and
`expected.json`, the findings of that rule (an empty list for a passing case).

A case directory may contain:
- any server file (server.py, fastmcp.json, pyproject.toml, tests/...): laid over a scaffolded
  server; `${name}` in it becomes the case's server name;
- `_remove`: paths (one per line) deleted from the scaffolded server;
- `_root.pyproject.toml`: replaces the workspace's root pyproject (the case then gets a
  workspace of its own);
- `_isolated`: the case is validated with `--isolated`, in a workspace locked with `uv lock`
  (shared by all such cases);
- `_live`: the case is validated with `--live` (and only its own rule selected, so that only its
  transport is launched), in a workspace whose `.venv` is the running environment (shared by all
  such cases);
- `_locked`: the case gets a workspace of its own, locked with `uv lock` after the server is
  scaffolded and before the case's files are laid over it (so a changed pyproject.toml makes
  the lock stale);
- `_surface`: the scaffold's mcp-surface.json is written (as `wagents new` writes it) before
  the case's files are laid over it (so a case that changes the server drifts from it);
- `expected.json`: `[{"severity", "path", "line", "message"}]`, where `message` is a substring,
  `path` is relative to the workspace root (`mcp/${name}/...`), and a missing `line` key means
  "any line".

Cases sharing the default root are validated together in one workspace, in one run.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from wagents.check.engine import Options, validate
from wagents.workspace.root import Workspace

from .conftest import REPO_ROOT, require_tool

CASES_DIR = REPO_ROOT / "tests" / "cases"
SPECIAL_FILES = {
    "expected.json",
    "_remove",
    "_root.pyproject.toml",
    "_isolated",
    "_live",
    "_locked",
    "_surface",
}


def _cases() -> list[tuple[str, str, Path]]:
    return [
        (rule_dir.name, case_dir.name, case_dir)
        for rule_dir in sorted(CASES_DIR.iterdir())
        if rule_dir.is_dir()
        for case_dir in sorted(rule_dir.iterdir())
        if case_dir.is_dir()
    ]


CASES = _cases()


def _server_name(rule: str, case: str) -> str:
    return f"case-{rule}-{case}"


def _build(workspace: Workspace, name: str, case_dir: Path) -> None:
    from wagents.scaffold.new import new_server
    from wagents.testing import lock_workspace, write_surfaces

    created = new_server(workspace, name).path
    if (case_dir / "_locked").exists():
        require_tool("uv")
        lock_workspace(workspace.root)
    if (case_dir / "_surface").exists():
        write_surfaces(workspace.root, [name])
    for path in sorted(case_dir.rglob("*")):
        relative = path.relative_to(case_dir)
        if path.is_dir() or relative.as_posix() in SPECIAL_FILES:
            continue
        target = created / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        data = path.read_bytes()
        try:
            target.write_text(data.decode("utf-8").replace("${name}", name), encoding="utf-8")
        except UnicodeDecodeError:  # deliberately broken encodings stay as they are
            target.write_bytes(data)
    removals = case_dir / "_remove"
    if removals.exists():
        for line in removals.read_text().split():
            victim = created / line
            shutil.rmtree(victim) if victim.is_dir() else victim.unlink()


@pytest.fixture(scope="session")
def golden_findings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict]]:
    """Validate every case once; findings by server name.

    Only the cases of runtime rules (and of rules judging the others' findings, such as
    unused-ignore) pay for the import check: the others run the static rules.
    """
    from wagents.check.rules import all_rules
    from wagents.testing import link_environment, lock_workspace, scratch_workspace

    rules = all_rules()
    static = tuple(slug for slug, item in rules.items() if not item.runtime)
    runtime_cases = {
        _server_name(r, c)
        for r, c, _ in CASES
        if r in rules and (rules[r].runtime or rules[r].after_findings)
    }

    findings: dict[str, list[dict]] = {}
    shared = scratch_workspace(tmp_path_factory.mktemp("golden") / "shared")
    isolated = scratch_workspace(tmp_path_factory.mktemp("golden") / "isolated")
    live = scratch_workspace(tmp_path_factory.mktemp("golden") / "live")
    live_rules: dict[str, str] = {}  # server name -> the rule its case is for
    solo = []
    for rule, case, case_dir in CASES:
        name = _server_name(rule, case)
        root_override = case_dir / "_root.pyproject.toml"
        if root_override.exists() or (case_dir / "_locked").exists():
            solo.append((name, case_dir, root_override))
        elif (case_dir / "_isolated").exists():
            _build(isolated, name, case_dir)
        elif (case_dir / "_live").exists():
            _build(live, name, case_dir)
            live_rules[name] = rule
        else:
            _build(shared, name, case_dir)
    workspaces = [Workspace.find(shared.root)]
    for name, case_dir, root_override in solo:
        workspace = scratch_workspace(tmp_path_factory.mktemp("golden") / name)
        _build(workspace, name, case_dir)
        if root_override.exists():
            text = root_override.read_text().replace("${name}", name)
            (workspace.root / "pyproject.toml").write_text(text)
        workspaces.append(Workspace.find(workspace.root))
    for workspace in workspaces:
        servers = workspace.servers()
        probed = [server for server in servers if server.name in runtime_cases]
        unprobed = [server for server in servers if server.name not in runtime_cases]
        reports = [validate(workspace, probed, Options(timeout=15))] if probed else []
        if unprobed:
            reports.append(validate(workspace, unprobed, Options(select=static)))
        for report in reports:
            for finding in report.findings:
                findings.setdefault(finding.server, []).append(finding.as_dict())
    if live_rules:
        require_tool("uv")
        link_environment(live.root)
        for slug in sorted(set(live_rules.values())):
            chosen = [server for server in live.servers() if live_rules[server.name] == slug]
            report = validate(live, chosen, Options(timeout=60, live=True, select=(slug,)))
            for finding in report.findings:
                findings.setdefault(finding.server, []).append(finding.as_dict())
    lock_workspace(isolated.root, REPO_ROOT / "uv.lock")
    report = validate(isolated, isolated.servers(), Options(timeout=60, isolated=True))
    for finding in report.findings:
        findings.setdefault(finding.server, []).append(finding.as_dict())
    return findings


def test_every_rule_has_a_failing_and_a_passing_case() -> None:
    from wagents.check.rules import all_rules

    for slug in all_rules():
        expectations = [
            json.loads((case_dir / "expected.json").read_text())
            for rule, _, case_dir in CASES
            if rule == slug
        ]
        assert any(expectations), f"rule {slug} has no failing case in tests/cases/{slug}/"
        assert any(not e for e in expectations), f"rule {slug} has no passing case"


@pytest.mark.parametrize(("rule", "case", "case_dir"), CASES, ids=[f"{r}/{c}" for r, c, _ in CASES])
def test_golden_case(rule: str, case: str, case_dir: Path, golden_findings) -> None:
    name = _server_name(rule, case)
    expected = json.loads((case_dir / "expected.json").read_text().replace("${name}", name))
    actual = [f for f in golden_findings.get(name, []) if f["rule"] == rule]
    assert len(actual) == len(expected), f"expected {expected}\nactual {actual}"
    for want, got in zip(expected, actual, strict=True):
        assert got["severity"] == want["severity"], got
        assert got["path"] == want["path"], got
        if "line" in want:
            assert got["line"] == want["line"], got
        assert want["message"] in got["message"], got


def test_passing_cases_of_other_rules_are_clean_for_the_default_clients(golden_findings) -> None:
    """The clients family (tool names, schemas, descriptions, budget, hints) finds nothing in
    the passing cases of the other runtime rules: plain FastMCP servers suit every default
    client profile."""
    from wagents.check.rules import all_rules

    rules = all_rules()
    family = {slug for slug, item in rules.items() if item.family == "clients"}
    dirty = {}
    for rule, case, case_dir in CASES:
        if rule in family or rule not in rules or not rules[rule].runtime:
            continue
        if json.loads((case_dir / "expected.json").read_text()):
            continue
        found = [
            f for f in golden_findings.get(_server_name(rule, case), []) if f["rule"] in family
        ]
        if found:
            dirty[f"{rule}/{case}"] = found
    assert dirty == {}

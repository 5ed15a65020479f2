"""The security rules on servers written as users write them, and on what must stay quiet.

tests/security_corpus/<name>/ holds a realistic server in two variants: `dangerous/` (what users
ship: a file tool that opens any path, SQL built with f-strings, ...) and `safe/` (the same
server done right). `expected.json` names the rules the dangerous variant must trigger. Every
dangerous variant is caught under exactly those slugs; no safe variant gets any finding of the
security rules. The same rules report nothing on the shipped servers, a fresh scaffold (plain
and `--tasks`) and the golden cases that expect no finding.

Each variant is laid over a freshly scaffolded server (its other files stay the scaffold's), and
the static rules run through the engine, as `wagents validate --select ...` does.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from wagents.check.engine import Options, validate
from wagents.model import Finding
from wagents.scaffold.new import new_server
from wagents.testing import scratch_workspace
from wagents.workspace.root import Workspace

from .conftest import REPO_ROOT

CORPUS = REPO_ROOT / "tests" / "security_corpus"
CASES = REPO_ROOT / "tests" / "cases"
#: The rules of issue 16 (hardcoded-secret is there for its URL-template change).
SECURITY_RULES = (
    "command-injection",
    "sql-injection",
    "path-traversal",
    "ssrf",
    "http-auth",
    "blocking-call",
    "stdout-at-runtime",
    "hardcoded-secret",
)
NAMES = sorted(path.name for path in CORPUS.iterdir() if path.is_dir())


def _overlay(workspace: Workspace, name: str, files: Path) -> None:
    created = new_server(workspace, name).path
    for path in sorted(files.rglob("*")):
        if path.is_file() and path.name != "expected.json":
            target = created / path.relative_to(files)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)


@pytest.fixture(scope="module")
def corpus_findings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Finding]]:
    """Findings of the security rules by server name (`NAME-dangerous`, `NAME-safe`)."""
    workspace = scratch_workspace(tmp_path_factory.mktemp("security") / "corpus")
    for name in NAMES:
        for variant in ("dangerous", "safe"):
            _overlay(workspace, f"{name}-{variant}", CORPUS / name / variant)
    workspace = Workspace.find(workspace.root)
    report = validate(workspace, workspace.servers(), Options(select=SECURITY_RULES))
    findings: dict[str, list[Finding]] = {}
    for finding in report.findings:
        findings.setdefault(finding.server, []).append(finding)
    return findings


def test_the_corpus_has_twenty_servers_in_both_variants() -> None:
    assert len(NAMES) >= 20
    for name in NAMES:
        assert (CORPUS / name / "dangerous" / "server.py").is_file(), name
        assert (CORPUS / name / "safe" / "server.py").is_file(), name
        expected = json.loads((CORPUS / name / "expected.json").read_text())
        assert expected["dangerous"] and set(expected["dangerous"]) <= set(SECURITY_RULES), name


@pytest.mark.parametrize("name", NAMES)
def test_every_dangerous_server_is_caught_under_its_slug(
    name: str, corpus_findings: dict[str, list[Finding]]
) -> None:
    expected = set(json.loads((CORPUS / name / "expected.json").read_text())["dangerous"])
    found = corpus_findings.get(f"{name}-dangerous", [])
    assert {finding.rule for finding in found} == expected, [
        (f.rule, f.line, f.message) for f in found
    ]
    assert all(finding.path and finding.line for finding in found), found


@pytest.mark.parametrize("name", NAMES)
def test_no_safe_server_gets_a_finding(
    name: str, corpus_findings: dict[str, list[Finding]]
) -> None:
    found = corpus_findings.get(f"{name}-safe", [])
    assert found == [], [(f.rule, f.line, f.message) for f in found]


def test_no_finding_on_the_shipped_servers_or_the_scaffold(tmp_path: Path) -> None:
    shipped = Workspace.find(REPO_ROOT)
    report = validate(shipped, shipped.servers(), Options(select=SECURITY_RULES))
    assert report.findings == ()

    workspace = scratch_workspace(tmp_path / "fresh", ["plain"])
    new_server(workspace, "tasks", variant="tasks")
    workspace = Workspace.find(workspace.root)
    report = validate(workspace, workspace.servers(), Options(select=SECURITY_RULES))
    assert sorted(server.name for server in workspace.servers()) == ["plain", "tasks"]
    assert report.findings == ()


def test_no_finding_on_the_golden_cases_that_expect_none(tmp_path: Path) -> None:
    """A passing case of any rule gets no finding of the security rules (runtime cases and
    cases that replace the root pyproject are left out: they need a workspace of their own)."""
    workspace = scratch_workspace(tmp_path / "golden")
    built = []
    for case_dir in sorted(CASES.glob("*/*/")):
        if json.loads((case_dir / "expected.json").read_text()) or any(
            (case_dir / special).exists() for special in ("_root.pyproject.toml", "_remove")
        ):
            continue
        name = f"case-{case_dir.parent.name}-{case_dir.name}"
        created = new_server(workspace, name).path
        for path in sorted(case_dir.rglob("*")):
            relative = path.relative_to(case_dir)
            if path.is_dir() or relative.name.startswith("_") or relative.name == "expected.json":
                continue
            target = created / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes().replace(b"${name}", name.encode()))
        built.append(name)
    workspace = Workspace.find(workspace.root)
    report = validate(workspace, workspace.servers(), Options(select=SECURITY_RULES))
    assert len(built) > 50
    assert [(f.server, f.rule, f.line, f.message) for f in report.findings] == []

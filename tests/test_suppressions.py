"""`[tool.wagents] ignore` in a server's pyproject, and rules that crash.

These tests select static rules only (no server is imported), so they are quick.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from wagents.check.engine import Options, validate
from wagents.check.facts import ServerFacts, facts_for
from wagents.check.pipeline import check_server
from wagents.check.rules import Problem, Rule, all_rules
from wagents.check.suppressions import Ignore, read_ignores
from wagents.model import INTERNAL_ERROR, Severity
from wagents.testing import run_wagents, scratch_workspace
from wagents.workspace.root import Workspace

RULES = all_rules()
STATIC = ("dependency-parity", "wagents-config", "unused-ignore")


def _ignore_text(entries: str) -> str:
    return f'[project]\nname = "x"\n\n[tool.wagents]\nignore = [\n{entries}\n]\n'


def _read(text: str) -> tuple[list[Ignore], list[str]]:
    import tomllib

    valid, problems = read_ignores(tomllib.loads(text), text, RULES)
    return valid, [f"{p.line}: {p.message}" for p in problems]


def test_valid_entries_carry_their_line_and_reason() -> None:
    text = _ignore_text(
        '    { rule = "dependency-parity", reason = "  pinned on purpose  " },\n'
        "    { rule = 'components', reason = 'a placeholder server' },"
    )
    assert _read(text) == (
        [
            Ignore("dependency-parity", "pinned on purpose", 6),
            Ignore("components", "a placeholder server", 7),
        ],
        [],
    )


def test_array_of_tables_form() -> None:
    text = (
        '[project]\nname = "x"\n\n[[tool.wagents.ignore]]\nrule = "components"\n'
        'reason = "empty on purpose"\n'
    )
    assert _read(text) == ([Ignore("components", "empty on purpose", 5)], [])


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ('{ rule = "components" }', "ignoring components needs a reason"),
        ('{ rule = "components", reason = "   " }', "ignoring components needs a reason"),
        ('{ rule = "nope", reason = "r" }', "unknown rule 'nope'"),
        ('{ reason = "r" }', 'needs rule = "SLUG"'),
        ('{ rule = "wagents-config", reason = "r" }', "wagents-config cannot be ignored"),
        ('{ rule = "components", reason = "r", paths = [] }', "unknown key 'paths'"),
        ('"components"', "must be a table {rule, reason}"),
    ],
)
def test_invalid_entries_are_problems_and_suppress_nothing(entries: str, message: str) -> None:
    valid, problems = _read(_ignore_text(f"    {entries},"))
    assert valid == []
    assert len(problems) == 1 and message in problems[0], problems


def test_a_rule_ignored_twice() -> None:
    valid, problems = _read(
        _ignore_text('{ rule = "components", reason = "a" }, { rule = "components", reason = "b" }')
    )
    assert valid == [Ignore("components", "a", 6)]
    assert problems == ["6: [tool.wagents].ignore entry 2: components is ignored twice"]


@pytest.mark.parametrize(
    "text", ['[tool]\nwagents = "x"\n', "[tool.wagents]\nignore = 3\n", "[project]\n"]
)
def test_malformed_tables(text: str) -> None:
    valid, problems = _read(text)
    assert valid == []
    assert len(problems) == (0 if text == "[project]\n" else 1)


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    """`drift`: fastmcp.json lists a dependency pyproject lacks (a dependency-parity error)."""
    workspace = scratch_workspace(tmp_path / "repo", ["drift"])
    config = workspace.root / "mcp" / "drift" / "fastmcp.json"
    data = json.loads(config.read_text())
    data["environment"]["dependencies"].append("httpx>=0.28")
    config.write_text(json.dumps(data, indent=2))
    return workspace


def _add_ignore(workspace: Workspace, entry: str) -> int:
    """Append an ignore list with one entry; the entry's line."""
    path = workspace.root / "mcp" / "drift" / "pyproject.toml"
    with path.open("a") as pyproject:
        pyproject.write(f"\n[tool.wagents]\nignore = [\n    {entry},\n]\n")
    return path.read_text().splitlines().index(f"    {entry},") + 1


def test_an_ignore_with_a_reason_suppresses_the_rule(workspace: Workspace) -> None:
    before = validate(workspace, workspace.servers(), Options(select=STATIC))
    assert [f.rule for f in before.findings] == ["dependency-parity"]
    _add_ignore(workspace, '{ rule = "dependency-parity", reason = "httpx comes in at deploy" }')
    after = validate(workspace, workspace.servers(), Options(select=STATIC))
    assert after.findings == ()
    assert [(s.finding.rule, s.reason) for s in after.suppressed] == [
        ("dependency-parity", "httpx comes in at deploy")
    ]
    assert not after.fails(strict=True)


def test_an_ignore_without_a_reason_suppresses_nothing(workspace: Workspace) -> None:
    line = _add_ignore(workspace, '{ rule = "dependency-parity" }')
    report = validate(workspace, workspace.servers(), Options(select=STATIC))
    assert [(f.rule, f.severity, f.line) for f in report.findings] == [
        ("dependency-parity", Severity.ERROR, None),
        ("wagents-config", Severity.ERROR, line),
    ]
    assert report.findings[1].path == "mcp/drift/pyproject.toml"


def test_an_ignore_that_matches_nothing_is_reported(workspace: Workspace) -> None:
    line = _add_ignore(workspace, '{ rule = "server-layout", reason = "was renamed once" }')
    report = validate(workspace, workspace.servers(), Options(select=(*STATIC, "server-layout")))
    unused = [f for f in report.findings if f.rule == "unused-ignore"]
    assert [(f.severity, f.path, f.line) for f in unused] == [
        (Severity.WARNING, "mcp/drift/pyproject.toml", line)
    ]
    assert "ignore of server-layout matches no finding" in unused[0].message


def test_an_ignore_of_a_rule_that_did_not_run_is_not_judged(workspace: Workspace) -> None:
    _add_ignore(workspace, '{ rule = "server-layout", reason = "was renamed once" }')
    report = validate(workspace, workspace.servers(), Options(select=STATIC))
    assert [f.rule for f in report.findings] == ["dependency-parity"]


def test_ignores_of_runtime_rules_are_not_judged_when_the_import_fails(
    workspace: Workspace,
) -> None:
    (workspace.root / "mcp" / "drift" / "server.py").write_text("raise RuntimeError('no')\n")
    _add_ignore(workspace, '{ rule = "tool-annotations", reason = "legacy tools" }')
    select = ("import-check", "tool-annotations", "unused-ignore")
    report = validate(workspace, workspace.servers(), Options(select=select, timeout=20))
    assert [f.rule for f in report.findings] == ["import-check"]


def test_the_cli_counts_suppressed_findings(workspace: Workspace) -> None:
    _add_ignore(workspace, '{ rule = "dependency-parity", reason = "httpx comes in at deploy" }')
    select = [arg for rule in STATIC for arg in ("--select", rule)]
    result = run_wagents("validate", *select, "--strict", cwd=workspace.root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == (
        "All checks passed (1 server; 1 suppressed by [tool.wagents] ignore).\n"
    )


def test_a_crashing_rule_becomes_an_internal_error_and_the_others_still_run(
    workspace: Workspace,
) -> None:
    def crashes(facts: ServerFacts) -> Iterator[Problem]:
        """Crashes."""
        yield from ()
        raise KeyError("boom")

    crashing = Rule("crashes", Severity.WARNING, "test", crashes.__doc__ or "", crashes)
    (server,) = workspace.servers()
    findings, suppressed = check_server(
        facts_for(server, workspace, rule_slugs=RULES), [crashing, RULES["dependency-parity"]]
    )
    assert [(f.rule, f.severity) for f in findings] == [
        (INTERNAL_ERROR, Severity.ERROR),
        ("dependency-parity", Severity.ERROR),
    ]
    assert findings[0].message == "rule crashes crashed: KeyError: 'boom'"
    assert suppressed == []

"""Rule documentation: every rule documents itself, and docs/rules.md is generated from it."""

from __future__ import annotations

import pytest

from wagents.check.ruledoc import parse
from wagents.check.rules import all_rules
from wagents.testing import run_wagents

from .conftest import REPO_ROOT

RULES = all_rules()


@pytest.mark.parametrize("slug", list(RULES))
def test_every_rule_has_a_summary_a_description_and_both_examples(slug: str) -> None:
    doc = parse(RULES[slug].doc)
    assert doc.summary, f"{slug}: no summary line"
    assert doc.summary.endswith("."), f"{slug}: the summary is one sentence: {doc.summary!r}"
    assert doc.description, f"{slug}: no paragraph saying why it matters and how to fix it"
    assert doc.bad, f"{slug}: no `Bad::` block (code indented 4 spaces after the marker)"
    assert doc.good, f"{slug}: no `Good::` block"
    assert doc.bad != doc.good


def test_parse_splits_summary_prose_and_literal_blocks() -> None:
    doc = parse(
        """Summary line.

        Why it matters.

        Bad::

            x = 1

            y = 2

        Good::

            x = 2

        A closing note.
        """
    )
    assert doc.summary == "Summary line."
    assert doc.description == "Why it matters.\n\nA closing note."
    assert doc.bad == "x = 1\n\ny = 2"
    assert doc.good == "x = 2"


def test_a_docstring_without_examples_has_none() -> None:
    doc = parse("Only a summary.\n\nBad: inline examples do not count.")
    assert (doc.bad, doc.good) == (None, None)


def test_docs_rules_md_is_current() -> None:
    """docs/rules.md is the output of `wagents rules --format markdown`; regenerate it with
    `uv run wagents rules --format markdown > docs/rules.md` after changing a rule."""
    result = run_wagents("rules", "--format", "markdown", cwd=REPO_ROOT)
    assert result.returncode == 0, result.stderr
    committed = (REPO_ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == result.stdout, (
        "docs/rules.md is out of date: run `uv run wagents rules --format markdown > docs/rules.md`"
    )
    for slug in RULES:
        assert f"\n## {slug}\n" in committed


def test_rules_lists_slug_severity_family_and_summary() -> None:
    result = run_wagents("rules", cwd=REPO_ROOT)
    assert result.returncode == 0
    rows = [line.split(maxsplit=3) for line in result.stdout.splitlines()]
    assert [row[0] for row in rows] == list(RULES)
    for slug, severity, family, summary in rows:
        assert (severity, family, summary) == (
            str(RULES[slug].severity),
            RULES[slug].family,
            RULES[slug].summary,
        )


def test_one_rule_prints_its_whole_docstring() -> None:
    result = run_wagents("rules", "tool-poisoning", cwd=REPO_ROOT)
    assert result.returncode == 0
    # A security rule's classification (wagents/analysis/data/owasp.toml) follows its title.
    assert result.stdout.startswith(
        "tool-poisoning (error, runtime)\nOWASP MCP03:2025 (Tool Poisoning) · CWE-1427 · "
        "security-severity 8.0\n\n"
    )
    plain = run_wagents("rules", "lockfile", cwd=REPO_ROOT)
    assert plain.stdout.startswith("lockfile (error, project)\n\n")
    assert result.stdout.rstrip("\n").endswith(RULES["tool-poisoning"].doc)
    assert "Bad::" in result.stdout and "Good::" in result.stdout
    markdown = run_wagents("rules", "tool-poisoning", "--format", "markdown", cwd=REPO_ROOT)
    assert markdown.stdout.startswith("## tool-poisoning\n")
    assert "Bad:\n\n```\n@mcp.tool" in markdown.stdout


def test_an_unknown_rule_is_one_line_and_exit_2() -> None:
    result = run_wagents("rules", "no-such-rule", "--format", "markdown", cwd=REPO_ROOT)
    assert result.returncode == 2
    assert result.stdout == ""
    assert (
        result.stderr == "error: unknown rule 'no-such-rule' (see `wagents rules` for the list)\n"
    )

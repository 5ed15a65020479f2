"""Rule documentation from rule docstrings: parsed into parts, and rendered as docs/rules.md.

A rule's docstring is its only documentation. Its shape (shared by every rule):

    One-line summary (what `wagents rules` lists).

    Paragraphs: why it matters, what exactly is reported, how to fix it.

    Bad::

        code that the rule reports (indented 4 spaces)

    Good::

        the fixed code

`docs/rules.md` is generated from these docstrings (`wagents rules --format markdown`), never
edited by hand; a test checks that the committed file is current.
"""

from __future__ import annotations

import inspect
import re
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass

from wagents.model import RuleInfo

#: The lines that introduce a rule's two example blocks.
BAD_MARKER = "Bad::"
GOOD_MARKER = "Good::"


@dataclass(frozen=True)
class RuleDoc:
    """The parts of a rule docstring."""

    summary: str
    description: str
    bad: str | None
    good: str | None


def parse(docstring: str | None) -> RuleDoc:
    """Split a docstring into summary, description and the `Bad::`/`Good::` examples."""
    lines = inspect.cleandoc(docstring or "").splitlines()
    summary = lines[0].strip() if lines else ""
    prose: list[str] = []
    blocks: dict[str, str] = {}
    index = 1
    while index < len(lines):
        marker = lines[index].strip()
        if marker in (BAD_MARKER, GOOD_MARKER):
            block, index = _literal_block(lines, index + 1)
            blocks[marker] = block
            continue
        prose.append(lines[index])
        index += 1
    return RuleDoc(
        summary=summary,
        description=re.sub(r"\n{3,}", "\n\n", "\n".join(prose)).strip(),
        bad=blocks.get(BAD_MARKER) or None,
        good=blocks.get(GOOD_MARKER) or None,
    )


def _literal_block(lines: list[str], start: int) -> tuple[str, int]:
    """The indented lines from `start` on (blank lines included), dedented; and where they end."""
    end = start
    while end < len(lines) and (not lines[end].strip() or lines[end].startswith((" ", "\t"))):
        end += 1
    block = textwrap.dedent("\n".join(lines[start:end])).strip("\n")
    return block, end


def markdown(rules: Iterable[RuleInfo]) -> str:
    """docs/rules.md: a table of every rule, then each rule's full documentation."""
    rules = list(rules)
    out = [
        "# wagents rules",
        "",
        "<!-- Generated from the rules' docstrings by `uv run wagents rules --format markdown >"
        " docs/rules.md`; do not edit by hand. -->",
        "",
        "`uv run wagents validate` runs every rule below on every server. "
        "`uv run wagents rules SLUG` prints one rule's documentation. A server can silence a "
        "rule in its own pyproject.toml, with a reason "
        '(`[tool.wagents] ignore = [{rule = "SLUG", reason = "..."}]`).',
        "",
        "| rule | severity | family | checks |",
        "|---|---|---|---|",
    ]
    for item in rules:
        summary = parse(item.doc).summary.replace("|", "\\|")
        out.append(
            f"| [`{item.slug}`](#{item.slug}) | {item.severity} | {item.family} | {summary} |"
        )
    for item in rules:
        out += ["", rule_markdown(item)]
    out += ["", *_taint_model(), "", *_owasp_table(rules)]
    return "\n".join(out).rstrip("\n") + "\n"


def _taint_model() -> list[str]:
    """The taint model the security rules share, from the analysis modules' docstrings."""
    from wagents.analysis import components, taint

    model = inspect.cleandoc(taint.__doc__ or "").split("\n\n", 1)[1]
    sources = inspect.cleandoc(components.__doc__ or "").split("\n\n", 1)[1]
    return [
        "## Taint analysis",
        "",
        "command-injection, sql-injection, path-traversal and ssrf share one analysis "
        "(`wagents.analysis.taint`); its knowledge of libraries (sinks, sanitizers, kinds of "
        "objects, blocking calls, stdout writers, each with its source) is the data file "
        "`wagents/analysis/data/sinks.toml`.",
        "",
        "Sources: " + sources,
        "",
        model,
    ]


def _owasp_table(rules: list[RuleInfo]) -> list[str]:
    """The OWASP MCP Top 10 and which rules check each item (wagents/analysis/data/owasp.toml)."""
    from wagents.analysis import owasp

    out = [
        "## OWASP MCP Top 10 coverage",
        "",
        f"What wagents checks for each item of the [OWASP MCP Top 10]({owasp.PROJECT}) "
        f"({owasp.YEAR}, beta), and what it cannot see. SARIF output tags each security rule "
        "with its OWASP id and CWE ids and gives its `security-severity`.",
        "",
        "| OWASP | rules | what wagents checks | what it cannot see |",
        "|---|---|---|---|",
    ]
    known = {item.slug for item in rules}
    for category in owasp.categories():
        slugs = [f"[`{slug}`](#{slug})" for slug in category.rules if slug in known]
        cells = [
            category.label,
            ", ".join(slugs) or "-",
            category.checks,
            category.cannot_see,
        ]
        out.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return out


def rule_markdown(item: RuleInfo) -> str:
    """One rule's section of docs/rules.md."""
    doc = parse(item.doc)
    out = [f"## {item.slug}", "", f"**{item.severity}** · family `{item.family}`", ""]
    if item.security is not None:
        out += [f"Security: {item.security.summary}", ""]
    out += [doc.summary, ""]
    if doc.description:
        out += [doc.description, ""]
    for label, block in (("Bad", doc.bad), ("Good", doc.good)):
        if block:
            out += [f"{label}:", "", "```", block, "```", ""]
    return "\n".join(out).rstrip("\n")

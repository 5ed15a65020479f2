"""The printers of `wagents diff`: text for people, JSON for programs, GitHub Markdown for a job
summary or a pull-request comment (built from the blocks of `markdown.py`, so everything a server
supplied is escaped and the document stays under GitHub's step-summary limit).

    uv run wagents diff --since "$BASE_SHA" --format markdown >> "$GITHUB_STEP_SUMMARY"
"""

from __future__ import annotations

import json
import re

from wagents.analysis.compat_diff import Change, Kind
from wagents.check.diff import DiffReport, ServerDiff
from wagents.check.report.markdown import (
    Section,
    assemble,
    code,
    details,
    escape,
    html_text,
    paragraph,
    table,
)

TITLE = "wagents diff"
#: A server's table with more rows than this is collapsed under `<details>`.
COLLAPSE_AFTER = 10
_ICONS = {Kind.BREAKING: "🔴", Kind.COMPATIBLE: "🟢", Kind.REVIEW: "🟡"}
_COLORS = {Kind.BREAKING: "31", Kind.COMPATIBLE: "32", Kind.REVIEW: "33"}


def render_json(report: DiffReport) -> str:
    return json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n"


def summary_line(report: DiffReport) -> str:
    """`3 servers since main (merge base 1a2b3c4): 1 breaking, 2 compatible, 0 review; ...`."""
    count = len(report.servers)
    servers = f"{count} server{'s' if count != 1 else ''}"
    ref = report.ref[:12] if re.fullmatch(r"[0-9a-f]{40}", report.ref) else report.ref
    where = (
        f"since {ref}"
        if report.base.startswith(ref)
        else f"since {ref} (merge base {report.base[:12]})"
    )
    if not report.changes:
        return f"No surface changes in {servers} {where}."
    line = (
        f"{servers} {where}: {report.count(Kind.BREAKING)} breaking, "
        f"{report.count(Kind.COMPATIBLE)} compatible, {report.count(Kind.REVIEW)} for review"
    )
    unacknowledged = report.unacknowledged
    if unacknowledged:
        return f"{line}; a version bump is missing for {', '.join(unacknowledged)}."
    if report.count(Kind.BREAKING):
        return f"{line}; every breaking change comes with a version bump."
    return line + "."


def _versions(item: ServerDiff) -> str:
    if item.before == item.after or item.before is None:
        return f"version {item.after or '?'}"
    return f"version {item.before or '?'} → {item.after or '?'}"


def _counts(item: ServerDiff) -> str:
    words = [
        f"{item.count(kind)} {kind.value}" for kind in Kind if item.count(kind)
    ]  # "2 breaking, 1 review"
    return ", ".join(words) or "no changes"


def _policy(item: ServerDiff) -> str | None:
    if item.verdict is None:
        return None
    if item.verdict.acknowledged:
        return f"breaking changes acknowledged: {item.verdict.message}"
    return f"not acknowledged: {item.verdict.message}; bump [project].version in {item.pyproject}"


def render_text(report: DiffReport, color: bool = False) -> str:
    def paint(text: str, code_: str) -> str:
        return f"\x1b[{code_}m{text}\x1b[0m" if color else text

    lines: list[str] = []
    for item in report.servers:
        if not item.changes and item.note is None:
            continue
        lines.append(f"{paint(item.server, '1')}: {_versions(item)}, {_counts(item)}")
        if item.note:
            lines.append(f"  {item.note}")
        for change in item.changes:
            label = paint(f"{change.kind.value:<10}", _COLORS[change.kind])
            where = f" {change.path}" if change.path else ""
            lines.append(f"  {label} {change.component}{where}: {change.message}")
        policy = _policy(item)
        if policy is not None:
            code_ = "31" if item.unacknowledged else "32"
            lines.append("  " + paint(policy, code_))
        lines.append("")
    lines.append(summary_line(report))
    return "\n".join(lines) + "\n"


def render_markdown(report: DiffReport, color: bool = False) -> str:
    return assemble(sections(report))


def sections(report: DiffReport) -> list[Section]:
    """The Markdown document as sections (see `markdown.assemble`)."""
    if report.unacknowledged:
        icon = "❌"
    elif report.count(Kind.BREAKING) or report.count(Kind.REVIEW):
        icon = "⚠️"
    else:
        icon = "✅"
    parts = [paragraph(f"### {icon} {escape(TITLE)}\n\n{escape(summary_line(report))}")]
    shown = [item for item in report.servers if item.changes or item.note]
    if len(shown) > 1:
        rows = [
            (
                escape(item.server),
                escape(_versions(item)),
                str(item.count(Kind.BREAKING)),
                str(item.count(Kind.COMPATIBLE)),
                str(item.count(Kind.REVIEW)),
            )
            for item in shown
        ]
        overview = table(("Server", "Version", "Breaking", "Compatible", "Review"), rows)
        parts.append(
            details(html_text(f"{len(rows)} servers"), overview)
            if len(rows) > COLLAPSE_AFTER
            else overview
        )
    for item in shown:
        heading = f"#### {escape(item.server)}: {escape(_versions(item))}, {escape(_counts(item))}"
        notes = [escape(item.note)] if item.note else []
        policy = _policy(item)
        if policy is not None:
            kind = "CAUTION" if item.unacknowledged else "NOTE"
            notes.append(f"> [!{kind}]\n> {escape(policy)}")
        parts.append(paragraph("\n\n".join([heading, *notes])))
        if item.changes:
            rows_section = table(
                ("Kind", "Component", "Path", "Change"),
                [_cells(change) for change in item.changes],
            )
            if len(item.changes) > COLLAPSE_AFTER:
                rows_section = details(html_text(f"{len(item.changes)} changes"), rows_section)
            parts.append(rows_section)
    return parts


def _cells(change: Change) -> tuple[str, str, str, str]:
    return (
        f"{_ICONS[change.kind]} {change.kind.value}",
        code(change.component),
        code(change.path) if change.path else "",
        escape(change.message),
    )

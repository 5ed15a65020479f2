"""Findings as GitHub Markdown, for a job's step summary or a pull-request comment.

A summary line, an overview table when more than one server was checked, then one table per
server with findings (severity, rule, location, message), collapsed under `<details>` when it is
long; suppressed findings come last, collapsed. Paths are relative to the repository, as in the
other CI formats. Everything a server supplied is escaped (see `markdown.escape`) and the
document stays under GitHub's 1 MiB step-summary limit, with a note when rows were cut.

    uv run wagents validate --format markdown >> "$GITHUB_STEP_SUMMARY"
"""

from __future__ import annotations

from collections import Counter
from itertools import groupby

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
from wagents.check.report.text_format import summary_line
from wagents.model import Finding, Report, Severity

#: A server table with more rows than this is collapsed under `<details>`.
COLLAPSE_AFTER = 10
TITLE = "wagents validate"
_ICONS = {Severity.ERROR: "❌", Severity.WARNING: "⚠️", Severity.INFO: "ℹ️"}  # noqa: RUF001
HEADERS = ("Severity", "Rule", "Location", "Message")


def render(report: Report, color: bool = False) -> str:
    return assemble(sections(report))


def sections(report: Report) -> list[Section]:
    """The document as sections (see `markdown.assemble`), for callers that add their own."""
    icon = "❌" if report.failed else ("⚠️" if report.findings else "✅")
    parts = [paragraph(f"### {icon} {escape(TITLE)}\n\n{escape(summary_line(report))}")]
    by_server = {
        server: list(findings)
        for server, findings in groupby(report.findings, key=lambda finding: finding.server)
    }
    if len(report.servers) > 1 and report.findings:
        parts.append(_overview(report, by_server))
    for server, findings in by_server.items():
        parts.append(paragraph(f"#### {escape(server)}: {escape(_counts(findings))}"))
        rows = table(HEADERS, [_cells(finding, report.path_prefix) for finding in findings])
        if len(findings) > COLLAPSE_AFTER:
            rows = details(html_text(f"{len(findings)} findings"), rows)
        parts.append(rows)
    if report.suppressed:
        suppressed = table(
            ("Rule", "Location", "Message", "Reason"),
            [
                (
                    code(item.finding.rule),
                    _location(item.finding, report.path_prefix),
                    escape(f"{item.finding.server}: {item.finding.message}"),
                    escape(item.reason),
                )
                for item in report.suppressed
            ],
        )
        count = len(report.suppressed)
        label = f"{count} finding{'s' if count != 1 else ''} suppressed by [tool.wagents] ignore"
        parts.append(details(html_text(label), suppressed))
    return parts


def _overview(report: Report, by_server: dict[str, list[Finding]]) -> Section:
    rows = []
    for server in report.servers:
        counts = Counter(finding.severity for finding in by_server.get(server, []))
        rows.append(
            (
                escape(server),
                str(counts[Severity.ERROR]),
                str(counts[Severity.WARNING]),
                str(counts[Severity.INFO]),
            )
        )
    overview = table(("Server", "Errors", "Warnings", "Info"), rows)
    if len(rows) > COLLAPSE_AFTER:
        return details(html_text(f"{len(rows)} servers"), overview)
    return overview


def _cells(finding: Finding, path_prefix: str) -> tuple[str, str, str, str]:
    severity = f"{_ICONS[finding.severity]} {finding.severity}"
    return (severity, code(finding.rule), _location(finding, path_prefix), escape(finding.message))


def _location(finding: Finding, path_prefix: str) -> str:
    if finding.path is None:
        return ""
    where = path_prefix + finding.path
    return code(f"{where}:{finding.line}" if finding.line else where)


def _counts(findings: list[Finding]) -> str:
    counts = Counter(finding.severity for finding in findings)
    words = []
    for severity, noun in ((Severity.ERROR, "error"), (Severity.WARNING, "warning")):
        if counts[severity]:
            words.append(f"{counts[severity]} {noun}{'s' if counts[severity] != 1 else ''}")
    if counts[Severity.INFO]:
        words.append(f"{counts[Severity.INFO]} info")
    return ", ".join(words)

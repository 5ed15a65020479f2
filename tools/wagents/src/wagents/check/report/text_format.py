"""Findings for people: grouped by server, one line each, a summary line last."""

from __future__ import annotations

from itertools import groupby

from wagents.model import Finding, Report, Severity

_COLORS = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.INFO: "36"}


def render(report: Report, color: bool = False) -> str:
    def paint(text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if color else text

    lines: list[str] = []
    for server, findings in groupby(report.findings, key=lambda finding: finding.server):
        lines.append(paint(server, "1"))
        for finding in findings:
            label = paint(f"{finding.severity}[{finding.rule}]", _COLORS[finding.severity])
            lines.append(f"  {label} {_where(finding)}{finding.message}")
        lines.append("")
    lines.append(summary_line(report))
    return "\n".join(lines) + "\n"


def _where(finding: Finding) -> str:
    if finding.path is None:
        return ""
    return f"{finding.path}:{finding.line}: " if finding.line else f"{finding.path}: "


def summary_line(report: Report) -> str:
    """`Checked 2 servers: 1 error, 0 warnings, 0 info.` (or `All checks passed (...)`)."""
    count = len(report.servers)
    servers = f"{count} server{'s' if count != 1 else ''}"
    suppressed = len(report.suppressed)
    note = f"; {suppressed} suppressed by [tool.wagents] ignore" if suppressed else ""
    if not report.findings:
        return f"All checks passed ({servers}{note})."
    summary = report.summary
    return (
        f"Checked {servers}: {_plural(summary['errors'], 'error')}, "
        f"{_plural(summary['warnings'], 'warning')}, {summary['info']} info{note}."
    )


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"

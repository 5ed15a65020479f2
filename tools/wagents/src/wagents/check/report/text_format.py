"""Findings for people: grouped by server, one line each, a summary line last.

One rule's finding on many tools of a server (the same message but for the tool's name, such as
"has no annotations") prints as one line listing the tools, so that 26 identical warnings do not
hide the one that matters; the other formats keep one finding each.
"""

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
        for group in _grouped(list(findings)):
            first = group[0]
            label = paint(f"{first.severity}[{first.rule}]", _COLORS[first.severity])
            if len(group) < GROUP_AT:
                lines += [f"  {label} {_where(finding)}{finding.message}" for finding in group]
            else:
                lines.append(f"  {label} {_group_line(group)}")
        lines.append("")
    lines.append(summary_line(report))
    return "\n".join(lines) + "\n"


#: This many findings of one rule that differ only by their tool print as one line.
GROUP_AT = 3
#: How many tools a grouped line names.
GROUP_SHOWN = 10


def _template(finding: Finding) -> str | None:
    """The finding's message with its tool left out, or None when it names no tool."""
    if finding.subject is None:
        return None
    named = f"tool {finding.subject!r}"
    if named not in finding.message:
        return None
    return finding.message.replace(named, "each tool", 1)


def _grouped(findings: list[Finding]) -> list[list[Finding]]:
    """The findings in order, those of one rule and severity sharing a template together."""
    groups: dict[object, list[Finding]] = {}
    for index, finding in enumerate(findings):
        template = _template(finding)
        key = (finding.rule, finding.severity, template) if template is not None else index
        groups.setdefault(key, []).append(finding)
    return list(groups.values())


def _group_line(group: list[Finding]) -> str:
    """`mcp/x/server.py: 5 tools (a:12, b:17, ...): each tool has no annotations: ...`."""
    paths = {finding.path for finding in group}
    shared = len(paths) == 1 and None not in paths
    members = []
    for finding in group[:GROUP_SHOWN]:
        if shared:
            members.append(
                f"{finding.subject}:{finding.line}" if finding.line else str(finding.subject)
            )
        else:
            members.append(f"{finding.subject} ({_where(finding).rstrip(': ')})")
    more = f", and {len(group) - GROUP_SHOWN} more" if len(group) > GROUP_SHOWN else ""
    where = f"{group[0].path}: " if shared else ""
    return f"{where}{len(group)} tools ({', '.join(members)}{more}): {_template(group[0])}"


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

"""Findings as GitHub Actions workflow commands: each one an annotation on the pull request.

`::error file=mcp/x/server.py,line=12,title=tool-poisoning::message` (`warning`, `notice` for the
other severities). Paths are relative to the repository, as GitHub expects. Values are escaped
the way the runner unescapes them: `%`, CR and LF in the message; also `:` and `,` in properties.
"""

from __future__ import annotations

from wagents.check.report.text_format import summary_line
from wagents.model import Finding, Report, Severity

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def render(report: Report, color: bool = False) -> str:
    lines = [annotation(finding, report.path_prefix) for finding in report.findings]
    lines.append(summary_line(report))
    return "\n".join(lines) + "\n"


def annotation(finding: Finding, path_prefix: str = "") -> str:
    """One workflow command for one finding."""
    properties = []
    if finding.path is not None:
        properties.append(f"file={escape_property(path_prefix + finding.path)}")
        if finding.line:
            properties.append(f"line={finding.line}")
    properties.append(f"title={escape_property(finding.rule)}")
    message = f"{finding.server}: {finding.message}"
    return f"::{COMMANDS[finding.severity]} {','.join(properties)}::{escape_data(message)}"


def escape_data(text: str) -> str:
    """Escape a command's message: `%` first, then CR and LF."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a command property value: the message escapes plus `:` and `,`."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")

"""Findings as SARIF 2.1.0, the format GitHub code scanning (and most CI dashboards) read.

One run with one `reportingDescriptor` per rule that ran (summary, description and the full
documentation with its examples, from the rule's docstring), one result per finding, and the
suppressed findings as results carrying a `suppressions` entry with the ignore's reason. Paths
are relative to the repository (`%SRCROOT%`); a finding without a file points at its server's
directory.
"""

from __future__ import annotations

import json
from typing import Any

from wagents import __version__
from wagents.check.ruledoc import parse, rule_markdown
from wagents.model import INTERNAL_ERROR, Finding, Report, RuleInfo, Severity

SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
SRCROOT = "%SRCROOT%"


def render(report: Report, color: bool = False) -> str:
    return json.dumps(document(report), indent=2, ensure_ascii=False) + "\n"


def document(report: Report) -> dict[str, Any]:
    """The SARIF log as a JSON-ready dict."""
    descriptors = [descriptor(item) for item in report.rules]
    seen = {item.slug for item in report.rules}
    everything = [*report.findings, *(item.finding for item in report.suppressed)]
    if any(finding.rule == INTERNAL_ERROR for finding in everything) and INTERNAL_ERROR not in seen:
        descriptors.append(_internal_error_descriptor())
    index = {entry["id"]: position for position, entry in enumerate(descriptors)}
    results = [_result(finding, report, index) for finding in report.findings]
    for item in report.suppressed:
        result = _result(item.finding, report, index)
        result["suppressions"] = [{"kind": "external", "justification": item.reason}]
        results.append(result)
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "wagents",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": descriptors,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }


def descriptor(item: RuleInfo) -> dict[str, Any]:
    """A rule's reportingDescriptor, its texts from the rule's docstring.

    A security rule's `properties` carry its OWASP MCP Top 10 id and CWE ids as tags
    (`security`, `owasp-mcp-top-10/MCP05:2025`, `external/cwe/cwe-078`) and its
    `security-severity`, which GitHub code scanning ranks alerts by.
    """
    parts = parse(item.doc)
    properties: dict[str, Any] = {"tags": ["wagents", item.family]}
    security = item.security
    if security is not None:
        properties["tags"] = list(dict.fromkeys([*properties["tags"], *security.tags]))
        properties["security-severity"] = security.severity
    return {
        "id": item.slug,
        "name": "".join(word.capitalize() for word in item.slug.split("-")),
        "shortDescription": {"text": parts.summary},
        "fullDescription": {"text": parts.description or parts.summary},
        "help": {"text": item.doc, "markdown": rule_markdown(item)},
        "defaultConfiguration": {"level": LEVELS[item.severity]},
        "properties": properties,
    }


def _internal_error_descriptor() -> dict[str, Any]:
    text = "A rule crashed while checking a server; the other rules still ran."
    return {
        "id": INTERNAL_ERROR,
        "name": "InternalError",
        "shortDescription": {"text": text},
        "fullDescription": {"text": text + " Please report it with the message."},
        "help": {"text": text},
        "defaultConfiguration": {"level": "error"},
        "properties": {"tags": ["wagents"]},
    }


def _result(finding: Finding, report: Report, index: dict[str, int]) -> dict[str, Any]:
    if finding.path is not None:
        uri = report.path_prefix + finding.path
    else:
        uri = report.path_prefix + report.server_paths.get(finding.server, "") + "/"
    physical: dict[str, Any] = {"artifactLocation": {"uri": _uri(uri), "uriBaseId": SRCROOT}}
    if finding.line is not None and finding.line >= 1:
        physical["region"] = {"startLine": finding.line}
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "level": LEVELS[finding.severity],
        "message": {"text": finding.message},
        "locations": [{"physicalLocation": physical}],
        "properties": {"server": finding.server},
    }
    if finding.rule in index:
        result["ruleIndex"] = index[finding.rule]
    return result


def _uri(path: str) -> str:
    """A relative path as a URI reference (spaces and other reserved characters escaped)."""
    from urllib.parse import quote

    return quote(path, safe="/")

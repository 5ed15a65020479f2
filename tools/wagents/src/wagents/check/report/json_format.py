"""Findings for programs: `{"findings": [...], "summary": {...}}`."""

from __future__ import annotations

import json

from wagents.model import Report


def render(report: Report, color: bool = False) -> str:
    document = {
        "findings": [finding.as_dict() for finding in report.findings],
        "summary": report.summary,
    }
    return json.dumps(document, indent=2) + "\n"

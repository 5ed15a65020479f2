"""Printers over the same findings: one module per `--format`, each `render(report) -> str`."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from wagents.validation import Report

#: `--format` choices, each the module under wagents.report that renders it.
FORMATS = ("text", "json")

Renderer = Callable[[Report, bool], str]


def renderer(format_name: str) -> Renderer:
    """The `render(report, color)` function of a format."""
    module = importlib.import_module(f"wagents.report.{format_name}_format")
    return module.render

"""Printers over the same findings: one module per `--format`, each `render(report, color)`.

A printer's module is imported when its format is asked for, so that a run prints with only the
one it needs loaded.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from wagents.model import Report

Renderer = Callable[[Report, bool], str]

#: `--format` choices and the module (in this package) of each one's printer.
MODULES: dict[str, str] = {
    "text": "text_format",
    "json": "json_format",
    "github": "github_format",
    "sarif": "sarif_format",
    "markdown": "markdown_format",
}
FORMATS = tuple(MODULES)


def renderer(format_name: str) -> Renderer:
    """The `render(report, color)` function of a format."""
    module = importlib.import_module(f"{__name__}.{MODULES[format_name]}")
    render: Renderer = module.render
    return render

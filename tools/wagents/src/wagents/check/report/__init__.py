"""Printers over the same findings: one module per `--format`, each `render(report, color)`."""

from __future__ import annotations

from collections.abc import Callable

from wagents.check.report import (
    github_format,
    json_format,
    markdown_format,
    sarif_format,
    text_format,
)
from wagents.model import Report

Renderer = Callable[[Report, bool], str]

#: `--format` choices and the printer of each.
PRINTERS: dict[str, Renderer] = {
    "text": text_format.render,
    "json": json_format.render,
    "github": github_format.render,
    "sarif": sarif_format.render,
    "markdown": markdown_format.render,
}
FORMATS = tuple(PRINTERS)


def renderer(format_name: str) -> Renderer:
    """The `render(report, color)` function of a format."""
    return PRINTERS[format_name]

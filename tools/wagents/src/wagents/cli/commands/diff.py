"""`wagents diff`: what changed in each server's MCP surface since a ref, classified."""

from __future__ import annotations

import enum
import os
import sys
from typing import Annotated

import typer


class DiffFormat(enum.StrEnum):
    TEXT = "text"
    JSON = "json"
    MARKDOWN = "markdown"


def register(app: typer.Typer) -> None:
    app.command(name="diff")(diff)


def diff(
    names: Annotated[
        list[str] | None, typer.Argument(help="Servers to compare (default: every server).")
    ] = None,
    since: Annotated[
        str,
        typer.Option("--since", metavar="REF", help="Compare with the merge base of REF and HEAD."),
    ] = "main",
    output_format: Annotated[
        DiffFormat, typer.Option("--format", "-f", help="text, json or markdown.")
    ] = DiffFormat.TEXT,
) -> None:
    """Compare each server's mcp-surface.json at the merge base of REF (default main) and HEAD
    with the working tree's, and classify every change: breaking, compatible or review.

    Breaking: a tool, prompt, resource or template removed or renamed, a required parameter
    added, a parameter removed or renamed, a type narrowed or changed, enum values removed, a
    constraint tightened, an output field removed or retyped, a tool that becomes destructive or
    loses readOnlyHint, task support becoming required. Compatible: new components, new
    optional parameters, widened types, added enum values, loosened constraints. Review:
    descriptions, titles, other annotations, and whatever cannot be decided. A breaking change
    must come with a version bump in the server's pyproject.toml (major from 1.0, minor below,
    as Cargo's semver rules do). Exit status 1 while a breaking change is not acknowledged (it
    is listed as breaking either way), 0 otherwise, 2 on bad usage. Snapshots only: run
    `wagents validate` (rule surface-drift) to be sure they are current.
    """
    from wagents.check.diff import diff_servers
    from wagents.check.report.surface_diff import render_json, render_markdown, render_text
    from wagents.workspace.root import Workspace

    workspace = Workspace.find()
    report = diff_servers(workspace, workspace.select(names or []), since)
    if output_format is DiffFormat.JSON:
        sys.stdout.write(render_json(report))
    elif output_format is DiffFormat.MARKDOWN:
        sys.stdout.write(render_markdown(report))
    else:
        color = sys.stdout.isatty() and "NO_COLOR" not in os.environ
        sys.stdout.write(render_text(report, color))
    raise typer.Exit(report.exit_code)

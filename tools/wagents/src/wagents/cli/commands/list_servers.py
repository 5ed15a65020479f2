"""`wagents list`: the servers with their description, transport and component counts."""

from __future__ import annotations

import enum
import json
from typing import Annotated

import typer


class ListFormat(enum.StrEnum):
    TEXT = "text"
    JSON = "json"


def register(app: typer.Typer) -> None:
    app.command(name="list")(list_servers)


def list_servers(
    names: Annotated[
        list[str] | None, typer.Argument(help="Servers to list (default: every server).")
    ] = None,
    output_format: Annotated[
        ListFormat, typer.Option("--format", "-f", help="Output format.")
    ] = ListFormat.TEXT,
    jobs: Annotated[
        int | None,
        typer.Option("--jobs", "-j", min=1, help="Servers probed at once (default: CPUs)."),
    ] = None,
    timeout: Annotated[
        float, typer.Option("--timeout", min=0.1, help="Seconds each server may take to import.")
    ] = 30.0,
) -> None:
    """List the servers: name, transport, tool count, tool-list tokens and description.

    Tool counts come from importing each server in a process of its own (as the import check
    does); a server that fails to import shows "-" and the reason. TOKENS is the estimated cost
    of the server's tool list in a model's context (characters / 4; see the tool-budget rule).
    """
    from wagents.deploy.devtools import list_servers as describe
    from wagents.workspace.root import Workspace

    workspace = Workspace.find()
    summaries = describe(workspace, workspace.select(names or []), timeout=timeout, jobs=jobs)
    if output_format is ListFormat.JSON:
        typer.echo(json.dumps([summary.as_dict() for summary in summaries], indent=2))
        return
    if not summaries:
        typer.echo("No servers under mcp/ (create one with `wagents new NAME`).")
        return
    rows = [("SERVER", "TRANSPORT", "TOOLS", "TOKENS", "DESCRIPTION")]
    for summary in summaries:
        tools = str(summary.tools) if summary.tools is not None else "-"
        tokens = f"~{summary.tokens}" if summary.tokens is not None else "-"
        description = summary.description
        if summary.tools is None:
            description = f"{description} [{summary.status}: {summary.message or 'no details'}]"
        rows.append((summary.name, summary.transport, tools, tokens, description.strip()))
    widths = [max(len(row[column]) for row in rows) for column in range(4)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row[:4], widths, strict=True)]
        typer.echo("  ".join([*cells, row[4]]).rstrip())

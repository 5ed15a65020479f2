"""`wagents inspect`: a server's tools, resources and prompts with their schemas."""

from __future__ import annotations

import enum
import json
from typing import Annotated

import typer


class InspectFormat(enum.StrEnum):
    TEXT = "text"
    FASTMCP = "fastmcp"
    MCP = "mcp"


def register(app: typer.Typer) -> None:
    app.command(name="inspect")(inspect)


def inspect(
    name: Annotated[str, typer.Argument(help="The server to inspect.")],
    output_format: Annotated[
        InspectFormat,
        typer.Option(
            "--format",
            "-f",
            help="text, or fastmcp inspect's JSON report (fastmcp: FastMCP's; mcp: protocol's).",
        ),
    ] = InspectFormat.TEXT,
    timeout: Annotated[
        float, typer.Option("--timeout", min=0.1, help="Seconds the server may take.")
    ] = 60.0,
) -> None:
    """Show what `fastmcp inspect` finds: tools, resources, templates, prompts, schemas.

    Runs `fastmcp inspect` on the server's fastmcp.json in the server's directory, in a process
    of its own. Exit status 1 when the server cannot be loaded.
    """
    from wagents.cli.inspect_text import render_inspection
    from wagents.deploy.devtools import inspect_server, output_tail
    from wagents.workspace.root import Workspace
    from wagents.workspace.server import ServerFiles

    workspace = Workspace.find()
    (server,) = workspace.select([name])
    report_format = "mcp" if output_format is InspectFormat.MCP else "fastmcp"
    inspection = inspect_server(ServerFiles(server, workspace), report_format, timeout)
    if inspection.report is None:
        typer.echo(output_tail(inspection.output), err=True)
        typer.echo(f"error: fastmcp inspect could not load {name}", err=True)
        raise typer.Exit(1)
    if output_format is InspectFormat.TEXT:
        typer.echo(render_inspection(inspection.report), nl=False)
    else:
        typer.echo(json.dumps(inspection.report, indent=2))

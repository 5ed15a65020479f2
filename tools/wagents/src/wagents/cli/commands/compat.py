"""`wagents compat`: which clients accept which servers (a matrix of servers by client profiles)."""

from __future__ import annotations

import enum
from typing import Annotated

import typer


class CompatFormat(enum.StrEnum):
    TEXT = "text"
    JSON = "json"
    MARKDOWN = "markdown"


def register(app: typer.Typer) -> None:
    app.command(name="compat")(compat)


def compat(
    names: Annotated[
        list[str] | None, typer.Argument(help="Servers to check (default: every server).")
    ] = None,
    clients: Annotated[
        list[str] | None,
        typer.Option(
            "--clients",
            "-c",
            help="Client profiles to show, repeated or comma-separated (default: every profile).",
        ),
    ] = None,
    output_format: Annotated[
        CompatFormat, typer.Option("--format", "-f", help="Output format.")
    ] = CompatFormat.TEXT,
    jobs: Annotated[
        int | None,
        typer.Option("--jobs", "-j", min=1, help="Servers probed at once (default: CPUs)."),
    ] = None,
    timeout: Annotated[
        float, typer.Option("--timeout", min=0.1, help="Seconds each server may take to import.")
    ] = 30.0,
) -> None:
    """Show which MCP clients accept each server: ok, warnings, or refused, per client.

    Each server runs in a process of its own, as for `wagents validate`; its tools, as a client
    receives them, are held against each client profile (`wagents rules client-compat` lists
    the profiles and their sources). A cell says how many tools a constraint concerns, and the
    lines below the table give each cell's worst constraint. Exit status 1 when a client refuses
    a server or a server cannot be probed. `--format markdown` is for a pull-request comment or
    the job summary.
    """
    from wagents.check.compat import choose_clients, compat_matrix
    from wagents.check.report import compat_matrix as printers
    from wagents.workspace.root import Workspace

    workspace = Workspace.find()
    chosen = choose_clients(clients or [])
    matrix = compat_matrix(
        workspace, workspace.select(names or []), chosen, timeout=timeout, jobs=jobs
    )
    render = {
        CompatFormat.TEXT: printers.render_text,
        CompatFormat.JSON: printers.render_json,
        CompatFormat.MARKDOWN: printers.render_markdown,
    }[output_format]
    typer.echo(render(matrix), nl=False)
    if matrix.refused:
        raise typer.Exit(1)

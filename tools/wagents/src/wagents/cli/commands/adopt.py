"""`wagents adopt`: bring an existing FastMCP server into the workspace, then validate it."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    app.command(name="adopt")(adopt)


def adopt(
    source: Annotated[Path, typer.Argument(help="The server's directory, or its single .py file.")],
    name: Annotated[
        str | None,
        typer.Option("--name", help="Server name (default: the source's project or directory)."),
    ] = None,
    entrypoint: Annotated[
        str | None,
        typer.Option(
            "--entrypoint",
            metavar="OBJECT",
            help="The server object or factory: NAME or FILE.py:NAME (default: found by reading).",
        ),
    ] = None,
    no_sync: Annotated[
        bool, typer.Option("--no-sync", help="Skip `uv lock` and `uv sync`.")
    ] = False,
    strict: Annotated[
        bool, typer.Option("--strict", help="Warnings make the exit status 1 too.")
    ] = False,
) -> None:
    """Copy SOURCE to mcp/NAME/ as a workspace server, register it, lock, sync and validate it.

    The FastMCP instance or factory is found by reading the code (never running it); the entry
    module keeps its name and fastmcp.json points at it (a package gets a server.py that imports
    it; src/ layouts are flattened). Dependencies come from the source's pyproject.toml,
    requirements.txt or inline script metadata, plus fastmcp>=3,<4, into pyproject.toml and
    fastmcp.json alike. The source's tests come along; without any, a smoke test is written.
    A failure leaves nothing behind. Exit status: 0 when the new server has no error (with
    --strict: no warning either), 1 otherwise, 2 on bad input.
    """
    from wagents.check.engine import Options
    from wagents.check.engine import validate as run_validation
    from wagents.check.report import renderer
    from wagents.cli.commands.surface import write_first_snapshot
    from wagents.probe.proctree import reaping
    from wagents.scaffold.adopt import adopt as adopt_server
    from wagents.scaffold.adopt import files_summary, plan_adoption
    from wagents.workspace.root import Workspace

    workspace = Workspace.find()
    adoption = plan_adoption(workspace, source, name, entrypoint)
    if not no_sync:
        typer.echo("Locking and syncing (uv lock, uv sync)...", err=True)
    created = adopt_server(workspace, adoption, sync=not no_sync)
    relative = workspace.relative(created.path)
    typer.echo(f"Adopted {source} as {relative}/ ({files_summary(created.files)})")
    for note in adoption.notes:
        typer.echo(f"  {note}")
    if not adoption.brought_tests:
        typer.echo("  no tests in the source: wrote tests/test_server.py (a smoke test)")
    if created.root_pyproject_changed:
        typer.echo(f"Registered {adoption.name} in pyproject.toml")
    if adoption.undeclared:
        typer.echo(
            "Imports no declared dependency covers (add them to pyproject.toml and "
            "fastmcp.json, then uv lock):"
        )
        for module, distribution, how in adoption.undeclared:
            typer.echo(f"  {module}: likely {distribution} ({how})")
    import importlib

    importlib.invalidate_caches()  # uv sync just installed packages this process may look up
    write_first_snapshot(workspace.root, adoption.name)
    if no_sync:
        typer.echo(
            "Not synced (--no-sync): run `uv lock && uv sync`, then "
            f"`uv run wagents validate {adoption.name}`"
        )
        return
    workspace = Workspace.find(workspace.root)
    with reaping():
        report = run_validation(workspace, workspace.select([adoption.name]), Options(cache=False))
    color = sys.stdout.isatty() and "NO_COLOR" not in os.environ
    typer.echo("")
    sys.stdout.write(renderer("text")(report, color))
    raise typer.Exit(1 if report.fails(strict) else 0)

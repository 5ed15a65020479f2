"""`wagents new`: scaffold a server that passes every check."""

from __future__ import annotations

from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    app.command(name="new")(new)


def new(
    name: Annotated[str, typer.Argument(help="Server name: lowercase letters, digits, hyphens.")],
    description: Annotated[
        str, typer.Option("--description", "-d", help="One line saying what the server does.")
    ] = "",
    tasks: Annotated[
        bool,
        typer.Option(
            "--tasks",
            help="Add Docket background tasks: tasks=True, a long-running task tool.",
        ),
    ] = False,
    no_sync: Annotated[
        bool, typer.Option("--no-sync", help="Skip `uv lock` and `uv sync` afterwards.")
    ] = False,
) -> None:
    """Create mcp/NAME/ (server.py, fastmcp.json, pyproject.toml, README, tests), register it."""
    from wagents.cli.commands.surface import SnapshotOfRendered, write_first_snapshot
    from wagents.scaffold.new import new_server, sync_environment
    from wagents.workspace.listing import SURFACE_FILE
    from wagents.workspace.root import Workspace

    workspace = Workspace.find()
    snapshot = SnapshotOfRendered()
    created = new_server(workspace, name, description, "tasks" if tasks else "plain", snapshot)
    relative = workspace.relative(created.path)
    if created.finished_interrupted:
        typer.echo(f"Finished {relative}/, which an interrupted `wagents new {name}` had made")
    else:
        typer.echo(f"Created {relative}/ ({', '.join(created.files)})")
    if created.root_pyproject_changed:
        typer.echo(
            f"Registered {name} in pyproject.toml ([dependency-groups].servers, [tool.uv.sources])"
        )
    if not no_sync:
        sync_environment(workspace)
    if snapshot.problem is not None:  # perhaps it needed what the sync just installed
        write_first_snapshot(workspace.root, name)
    elif not created.finished_interrupted:
        typer.echo(f"Wrote {relative}/{SURFACE_FILE} (what clients see of it; commit it)")
    typer.echo("\nNext steps:")
    if no_sync:
        typer.echo("  uv lock && uv sync                 # install the new server's dependencies")
    typer.echo(f"  $EDITOR {relative}/server.py       # replace the example tools with real ones")
    typer.echo(f"  uv run wagents validate {name}")
    typer.echo(f"  uv run wagents test {name}")
    typer.echo(f"  uv run wagents surface --write {name}   # after changing tools; commit it")
    if tasks:
        typer.echo(f"  FASTMCP_DOCKET_URL=redis://127.0.0.1:6379/0 uv run wagents worker {name}")

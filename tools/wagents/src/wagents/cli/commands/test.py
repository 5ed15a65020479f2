"""`wagents test`: run servers' own test suites, each in a process of its own."""

from __future__ import annotations

from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    app.command(name="test", context_settings={"allow_extra_args": True})(test)


def test(
    names: Annotated[
        list[str] | None, typer.Argument(help="Servers to test (default: every server).")
    ] = None,
) -> None:
    """Run each server's tests with its own pytest configuration, one process per server.

    This is the command the CI matrix runs per server. Servers never share an interpreter: every
    server's module is `server.py`.
    """
    from wagents.deploy.servertests import run_server_tests
    from wagents.workspace.root import Workspace

    workspace = Workspace.find()
    failed = []
    for server in workspace.select(names or []):
        typer.echo(f"== {server.name}", err=True)
        if run_server_tests(server).returncode != 0:
            failed.append(server.name)
    if failed:
        typer.echo(f"tests failed: {', '.join(failed)}", err=True)
        raise typer.Exit(1)

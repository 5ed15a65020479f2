"""`wagents worker`: run extra Docket workers for a server's background tasks."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    app.command(name="worker")(worker)


def worker(
    name: Annotated[str, typer.Argument(help="The server whose background tasks to run.")],
    count: Annotated[
        int, typer.Option("--count", "-n", min=1, max=64, help="Worker processes to start.")
    ] = 1,
    grace: Annotated[
        float,
        typer.Option(
            "--grace", min=0, help="Seconds workers get to stop on Ctrl-C/SIGTERM before SIGKILL."
        ),
    ] = 10.0,
) -> None:
    """Start COUNT `fastmcp tasks worker` processes for NAME against FASTMCP_DOCKET_URL.

    Workers share the server's task queue through Redis; memory:// is refused.

    Output is forwarded, prefixed NAME.N. Ctrl-C or SIGTERM stops them all.

    Stopping sends SIGINT, then SIGKILL after --grace seconds; Docket redelivers cut tasks.

    Exit status: 0 after Ctrl-C/SIGTERM, 1 when a worker died on its own, 2 on bad usage.
    """
    from wagents.analysis.docket import DOCKET_URL_ENV
    from wagents.deploy.workers import (
        check_docket_installed,
        check_docket_url,
        check_server_has_tasks,
        pool_for,
        supervise,
    )
    from wagents.workspace.root import Workspace

    workspace = Workspace.find()
    (server,) = workspace.select([name])
    check_docket_url(os.environ.get(DOCKET_URL_ENV))
    check_docket_installed(server)
    check_server_has_tasks(workspace, server)
    typer.echo(
        f"starting {count} worker(s) for {name} in {workspace.relative(server.path)}", err=True
    )
    outcome = supervise(pool_for(server, count), grace, sys.stderr)
    raise typer.Exit(outcome.status)

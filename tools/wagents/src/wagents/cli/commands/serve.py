"""`wagents serve`: run one server over stdio (as clients start it) or over HTTP with uvicorn."""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from typing import Annotated

import typer

from wagents.deploy.serving import DEFAULT_HOST, DEFAULT_PORT
from wagents.model import UsageError


class Transport(StrEnum):
    stdio = "stdio"
    http = "http"


def register(app: typer.Typer) -> None:
    app.command(name="serve")(serve)


def serve(
    name: Annotated[str, typer.Argument(help="The server to run.")],
    transport: Annotated[
        Transport, typer.Option("--transport", "-t", help="stdio, or streamable HTTP (uvicorn).")
    ] = Transport.stdio,
    host: Annotated[
        str, typer.Option("--host", help="HTTP: address to bind (0.0.0.0 only in containers).")
    ] = DEFAULT_HOST,
    port: Annotated[
        int, typer.Option("--port", "-p", min=1, max=65535, help="HTTP: port to listen on.")
    ] = DEFAULT_PORT,
    workers: Annotated[
        int,
        typer.Option("--workers", "-w", min=1, max=64, help="HTTP: uvicorn worker processes."),
    ] = 1,
    stateless: Annotated[
        bool,
        typer.Option("--stateless", help="HTTP: no sessions (always on with several workers)."),
    ] = False,
    grace: Annotated[
        float,
        typer.Option("--grace", min=0, help="HTTP: seconds open requests get on Ctrl-C/SIGTERM."),
    ] = 10.0,
) -> None:
    """Run NAME: over stdio exactly as `wagents config` tells clients, or over HTTP.

    HTTP: uvicorn on `server:app` from the server's directory, 127.0.0.1 unless --host, at /mcp.

    Several workers run stateless (FASTMCP_STATELESS_HTTP=true): any worker answers any request.

    Ctrl-C or SIGTERM stops the server; open requests get --grace seconds.
    """
    from wagents.deploy.serving import HttpOptions, http_launch, stdio_launch
    from wagents.workspace.root import Workspace
    from wagents.workspace.server import ServerFiles

    workspace = Workspace.find()
    (server,) = workspace.select([name])
    facts = ServerFiles(server, workspace)
    if transport is Transport.stdio:
        given = [flag for flag, used in _http_only(host, port, workers, stateless, grace) if used]
        if given:
            raise UsageError(f"{', '.join(given)} apply to --transport http only")
        launch = stdio_launch(facts, os.environ)
    else:
        options = HttpOptions(host, port, workers, stateless, grace)
        launch = http_launch(facts, options, os.environ)
        mode = "stateless" if options.effective_stateless else "sessions"
        display_host = f"[{host}]" if ":" in host else host
        typer.echo(
            f"serving {name} on http://{display_host}:{port}/mcp ({workers} worker(s), {mode}); "
            "Ctrl-C stops it",
            err=True,
        )
    for note in launch.notes:
        typer.echo(f"note: {note}", err=True)
    sys.stdout.flush()
    sys.stderr.flush()
    os.chdir(launch.cwd)
    try:
        # The server replaces this process: signals reach it directly, its exit status is ours.
        os.execvpe(launch.command[0], launch.command, launch.env)
    except FileNotFoundError:
        raise UsageError(f"{launch.command[0]} is not on PATH") from None


def _http_only(
    host: str, port: int, workers: int, stateless: bool, grace: float
) -> list[tuple[str, bool]]:
    return [
        ("--host", host != DEFAULT_HOST),
        ("--port", port != DEFAULT_PORT),
        ("--workers", workers != 1),
        ("--stateless", stateless),
        ("--grace", grace != 10.0),
    ]

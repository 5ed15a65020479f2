"""`wagents dev`: run a server under the MCP Inspector (`fastmcp dev inspector`)."""

from __future__ import annotations

import os
import shlex
import shutil
from typing import Annotated

import typer

from wagents.model import UsageError


def register(app: typer.Typer) -> None:
    app.command(
        name="dev",
        context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    )(dev)


def dev(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The server to develop.")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the command and its directory; run nothing.")
    ] = False,
) -> None:
    """Replace this process with `fastmcp dev inspector` for NAME, in its directory.

    Arguments after NAME that wagents does not know go to fastmcp dev inspector
    (e.g. --ui-port 6280 --server-port 6277 --no-reload). The Inspector needs npx (Node.js).
    """
    from wagents.deploy.devtools import dev_command, fastmcp_environment
    from wagents.workspace.root import Workspace
    from wagents.workspace.server import ServerFiles

    workspace = Workspace.find()
    (server,) = workspace.select([name])
    command = dev_command(ServerFiles(server, workspace), ctx.args)
    if dry_run:
        typer.echo(f"cd {shlex.quote(str(server.path))}")
        typer.echo(shlex.join(command))
        return
    env = fastmcp_environment()
    if shutil.which("npx", path=env.get("PATH")) is None:
        raise UsageError("wagents dev needs npx (Node.js) to start the MCP Inspector")
    os.chdir(server.path)
    os.execve(command[0], command, env)

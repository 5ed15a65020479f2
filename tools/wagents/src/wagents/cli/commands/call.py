"""`wagents call`: call a server's tool (or read a resource, get a prompt) over stdio."""

from __future__ import annotations

from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    app.command(name="call")(call)


def call(
    name: Annotated[str, typer.Argument(help="The server to start.")],
    target: Annotated[
        str, typer.Argument(help="A tool name, a resource URI (with ://), or a prompt (--prompt).")
    ],
    arguments: Annotated[
        str | None,
        typer.Argument(metavar="[ARGUMENTS]", help="The arguments as a JSON object: '{\"x\": 1}'."),
    ] = None,
    prompt: Annotated[bool, typer.Option("--prompt", help="TARGET is a prompt name.")] = False,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print the raw result as JSON.")
    ] = False,
    timeout: Annotated[
        float | None,
        typer.Option("--timeout", min=0.1, help="Seconds to wait for the server to connect."),
    ] = None,
) -> None:
    """Start NAME over stdio and call TARGET with a real MCP client (`fastmcp call`).

    The server runs as `fastmcp run fastmcp.json --transport stdio` in its own directory and
    process. Exit status: that of fastmcp call (1 when the result is an error or TARGET is
    unknown), 2 on bad usage.
    """
    import subprocess

    from wagents.deploy.devtools import call_command, fastmcp_environment, parse_arguments
    from wagents.workspace.root import Workspace
    from wagents.workspace.server import ServerFiles

    workspace = Workspace.find()
    (server,) = workspace.select([name])
    values = parse_arguments(arguments)
    command = call_command(
        ServerFiles(server, workspace), target, values, prompt, json_output, timeout
    )
    completed = subprocess.run(
        command, cwd=server.path, env=fastmcp_environment(), stdin=subprocess.DEVNULL, check=False
    )
    raise typer.Exit(completed.returncode)

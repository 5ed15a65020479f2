"""`wagents config`: print, or merge into a client's file, the MCP client entry for a server."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from wagents.deploy.clientconfig import CLIENTS, OPERATING_SYSTEMS
from wagents.model import UsageError

ClientName = StrEnum("ClientName", {name: name for name in CLIENTS})  # type: ignore[misc]  # computed members
OsName = StrEnum("OsName", {name: name for name in OPERATING_SYSTEMS})  # type: ignore[misc]  # computed members


def register(app: typer.Typer) -> None:
    app.command(name="config")(config)


def config(
    name: Annotated[str, typer.Argument(help="The server to configure a client for.")],
    client: Annotated[
        ClientName, typer.Option("--client", "-c", help="The MCP client whose format to write.")
    ],
    os_name: Annotated[
        OsName | None,
        typer.Option("--os", help="claude-desktop: whose config location (default: this OS)."),
    ] = None,
    http: Annotated[
        str | None,
        typer.Option(
            "--http", metavar="URL", help="A streamable-HTTP entry for this URL instead of stdio."
        ),
    ] = None,
    header: Annotated[
        list[str] | None,
        typer.Option(
            "--header",
            metavar="K=V",
            help="HTTP header (repeatable); secrets only as ${VAR} references.",
        ),
    ] = None,
    env: Annotated[
        list[str] | None,
        typer.Option(
            "--env",
            metavar="K=V",
            help="Variable for the stdio server (repeatable); secrets only as ${VAR} references.",
        ),
    ] = None,
    write: Annotated[
        bool,
        typer.Option(
            "--write", help="Merge into the client's config file (backup kept) instead of printing."
        ),
    ] = False,
    file: Annotated[
        Path | None,
        typer.Option(
            "--file",
            metavar="PATH",
            help="The config file to merge into (implies --write; default: the client's own).",
        ),
    ] = None,
) -> None:
    """Print the client config entry that starts NAME, or merge it into the client's file.

    stdio: `uv run --directory <server dir> fastmcp run ...`; --http URL: streamable HTTP.

    Secrets only as references: --header 'Authorization=Bearer ${MCP_AUTH_TOKEN}' (single quotes).

    --write keeps every other key, saves the old file as FILE.<time>.bak, replaces it atomically.
    """
    from wagents.deploy.clientconfig import (
        EntryOptions,
        build_entry,
        client_spec,
        default_path,
        document,
        parse_pairs,
    )
    from wagents.deploy.clientfile import merge_entry
    from wagents.workspace.root import Workspace
    from wagents.workspace.server import ServerFiles

    if os_name is not None and str(client) != "claude-desktop":
        raise UsageError("--os applies to --client claude-desktop only")
    workspace = Workspace.find()
    (server,) = workspace.select([name])
    options = EntryOptions(
        client=str(client),
        http_url=http,
        headers=parse_pairs("--header", header),
        env=parse_pairs("--env", env),
    )
    entry = build_entry(ServerFiles(server, workspace), options)
    if not write and file is None:
        typer.echo(json.dumps(document(str(client), name, entry), indent=2, ensure_ascii=False))
        return
    path = file or default_path(str(client), workspace.root, str(os_name) if os_name else None)
    spec = client_spec(str(client))
    outcome = merge_entry(path, spec.servers_key, name, entry, jsonc=spec.jsonc)
    if outcome.action == "unchanged":
        typer.echo(f"{path}: {name} is already configured this way (nothing written)")
        return
    backup = f" (previous file saved as {outcome.backup.name})" if outcome.backup else ""
    typer.echo(f"{path}: {outcome.action} {name}{backup}")

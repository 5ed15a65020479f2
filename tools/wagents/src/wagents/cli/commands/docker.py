"""`wagents docker`: print or write a Dockerfile (and its ignore file) for one server."""

from __future__ import annotations

from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    app.command(name="docker")(docker)


def docker(
    name: Annotated[str, typer.Argument(help="The server to containerize.")],
    write: Annotated[
        bool,
        typer.Option(
            "--write", help="Write mcp/NAME/Dockerfile and mcp/NAME/Dockerfile.dockerignore."
        ),
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="With --write: replace files that differ.")
    ] = False,
    python: Annotated[
        str | None,
        typer.Option("--python", help="Python of the image, e.g. 3.12 (default: this one's)."),
    ] = None,
) -> None:
    """Generate a Dockerfile serving NAME over stateless streamable HTTP on port 8000.

    Pinned images, `uv sync --frozen --no-dev --package NAME`, non-root, HOST=0.0.0.0, HEALTHCHECK.

    Build from the workspace root: `docker build -f mcp/NAME/Dockerfile .`

    Without --write both files (Dockerfile and Dockerfile.dockerignore) are printed.
    """
    from wagents.deploy.dockerfile import render
    from wagents.deploy.dockerfile import write as write_files
    from wagents.workspace.root import Workspace
    from wagents.workspace.server import ServerFiles

    workspace = Workspace.find()
    (server,) = workspace.select([name])
    generated = render(ServerFiles(server, workspace), python)
    for note in generated.notes:
        typer.echo(f"note: {note}", err=True)
    if not write:
        for index, (relative, text) in enumerate(generated.files.items()):
            if index:
                typer.echo(f"\n# ==> {relative} <==")
            typer.echo(text, nl=False)
        return
    for outcome in write_files(workspace.root, generated, force):
        typer.echo(f"{outcome.path}: {outcome.action}")
    typer.echo(f"build: docker build -f {workspace.relative(server.path)}/Dockerfile -t {name} .")

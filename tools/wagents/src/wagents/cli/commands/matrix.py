"""`wagents matrix`: the CI matrix over servers, all of them or those a change touches."""

from __future__ import annotations

import enum
from typing import Annotated

import typer


class MatrixFormat(enum.StrEnum):
    JSON = "json"
    GITHUB_OUTPUT = "github-output"


def register(app: typer.Typer) -> None:
    app.command(name="matrix")(matrix)


def matrix(
    changed_since: Annotated[
        str | None,
        typer.Option(
            "--changed-since",
            metavar="REF",
            help="Only servers changed since the merge base of REF and HEAD (all on shared files).",
        ),
    ] = None,
    output_format: Annotated[
        MatrixFormat, typer.Option("--format", "-f", help="json, or key=value lines.")
    ] = MatrixFormat.JSON,
) -> None:
    """Print the GitHub Actions matrix: {"include": [{"server", "path", "python"}, ...]}.

    --format github-output prints matrix=<one-line JSON>, has-servers=true|false and count=N,
    for $GITHUB_OUTPUT. An empty change set gives {"include": []} and has-servers=false.
    """
    from wagents.workspace.matrix import build_matrix
    from wagents.workspace.root import Workspace

    result = build_matrix(Workspace.find(), changed_since)
    if output_format is MatrixFormat.GITHUB_OUTPUT:
        typer.echo(result.github_output(), nl=False)
    else:
        typer.echo(result.to_json(indent=2))

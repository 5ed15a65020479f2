"""`wagents validate`: check every server (or the named ones) and print the findings."""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from typing import Annotated

import typer

from wagents.report import FORMATS, renderer

Format = StrEnum("Format", {name: name for name in FORMATS})  # type: ignore[misc]


def register(app: typer.Typer) -> None:
    app.command(name="validate")(validate)


def validate(
    names: Annotated[
        list[str] | None,
        typer.Argument(help="Servers to check (default: every server under mcp/)."),
    ] = None,
    output_format: Annotated[
        Format, typer.Option("--format", "-f", help="Output format.")
    ] = Format["text"],  # type: ignore[index]
    select: Annotated[
        list[str] | None, typer.Option("--select", help="Run only this rule (repeatable).")
    ] = None,
    ignore: Annotated[
        list[str] | None, typer.Option("--ignore", help="Skip this rule (repeatable).")
    ] = None,
    jobs: Annotated[
        int | None,
        typer.Option("--jobs", "-j", min=1, help="Servers probed at once (default: CPUs)."),
    ] = None,
    timeout: Annotated[
        float, typer.Option("--timeout", min=0.1, help="Seconds each server may take to import.")
    ] = 30.0,
    isolated: Annotated[
        bool,
        typer.Option(
            "--isolated",
            help="Also install each server alone (its own deps only) and import it there.",
        ),
    ] = False,
    strict: Annotated[
        bool, typer.Option("--strict", help="Warnings fail the run too (exit status 1).")
    ] = False,
    files: Annotated[
        bool,
        typer.Option(
            "--files",
            help="The arguments are changed files (pre-commit): check the servers holding them.",
        ),
    ] = False,
    fix: Annotated[
        bool,
        typer.Option(
            "--fix",
            help="Repair what is mechanical (fastmcp.json dependencies, asyncio_mode, uv.lock, "
            "root registration), report each change on stderr, then check again.",
        ),
    ] = False,
) -> None:
    """Check every server: layout, fastmcp.json, dependencies, the import check and more.

    Formats: text (people), json (programs), github (workflow-command annotations), sarif
    (SARIF 2.1.0 for code scanning). Exit status: 0 when there is no error (with --strict: no
    warning either), 1 otherwise, 2 on bad usage.
    """
    from wagents.proctree import become_subreaper, kill_descendants, reap_children
    from wagents.validation import Options
    from wagents.validation import validate as run_validation
    from wagents.workspace import Workspace

    workspace = Workspace.find()
    if files:
        from pathlib import Path

        from wagents.changes import changes_in

        servers = changes_in(workspace, names or [], Path.cwd()).select(workspace.servers())
    else:
        servers = workspace.select(names or [])
    options = Options(
        select=tuple(select or ()),
        ignore=tuple(ignore or ()),
        jobs=jobs,
        timeout=timeout,
        isolated=isolated,
    )
    # Daemons of a server that exited mid-import are re-parented to us, not init: kill them after.
    become_subreaper()
    try:
        report = run_validation(workspace, servers, options)
        if fix and servers:
            names = [server.name for server in servers]
            report = _fix_and_revalidate(workspace, names, options, report)
    finally:
        kill_descendants(os.getpid())
        reap_children()
    color = sys.stdout.isatty() and "NO_COLOR" not in os.environ
    sys.stdout.write(renderer(str(output_format))(report, color))
    raise typer.Exit(1 if report.fails(strict) else 0)


def _fix_and_revalidate(workspace, names: list[str], options, report):
    """Apply the fixers of the selected rules to `report`'s findings; validate the servers
    `names` again when something changed."""
    from wagents.fixes import apply_fixes
    from wagents.validation import selected_rules
    from wagents.validation import validate as run_validation
    from wagents.workspace import Workspace

    slugs = [item.slug for item in selected_rules(options)]
    outcome = apply_fixes(workspace, report.findings, slugs)
    for change in outcome.changes:
        typer.echo(f"fixed: {change}", err=True)
    for refusal in outcome.refusals:
        typer.echo(f"not fixed: {refusal}", err=True)
    if not outcome.changes:
        return report
    workspace = Workspace.find(workspace.root)
    return run_validation(workspace, workspace.select(names), options)

"""`wagents validate`: check every server (or the named ones) and print the findings."""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from wagents.check.report import FORMATS, renderer

Format = StrEnum("Format", {name: name for name in FORMATS})  # type: ignore[misc]  # computed members
Runner = StrEnum("Runner", {name: name for name in ("auto", "zygote", "process")})  # type: ignore[misc]  # computed members

if TYPE_CHECKING:
    from wagents.check.engine import Options
    from wagents.model import Report, RunInfo
    from wagents.workspace.root import Workspace


def register(app: typer.Typer) -> None:
    app.command(name="validate")(validate)


def validate(
    names: Annotated[
        list[str] | None,
        typer.Argument(help="Servers to check (default: every server under mcp/)."),
    ] = None,
    output_format: Annotated[
        Format, typer.Option("--format", "-f", help="Output format.")
    ] = Format["text"],
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
    changed_since: Annotated[
        str | None,
        typer.Option(
            "--changed-since",
            metavar="REF",
            help="Only servers changed since git REF (all when shared files changed).",
        ),
    ] = None,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Check every server again; read no cached result.")
    ] = False,
    runner: Annotated[
        Runner,
        typer.Option("--runner", help="How to run import checks (auto: zygote where safe)."),
    ] = Runner["auto"],
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Say how servers were checked (on stderr).")
    ] = False,
    isolated: Annotated[
        bool,
        typer.Option(
            "--isolated",
            help="Also install each server alone (its own deps only) and import it there.",
        ),
    ] = False,
    live: Annotated[
        bool,
        typer.Option(
            "--live",
            help="Also start each server as clients do (stdio, and HTTP under uvicorn) and talk "
            "MCP to it.",
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

    Results are cached per server under .wagents/cache/ and reused while nothing they depend on
    changed. Formats: text (people), json (programs), github (workflow-command annotations),
    sarif (SARIF 2.1.0 for code scanning), markdown (a job's step summary or a pull-request
    comment). Exit status: 0 when there is no error (with --strict: no
    warning either), 1 otherwise, 2 on bad usage.
    """
    from wagents.check.engine import validate as run_validation
    from wagents.check.options import Options
    from wagents.cli.progress import Progress
    from wagents.probe.proctree import reaping
    from wagents.workspace.root import Workspace

    workspace = Workspace.find()
    if files:
        from pathlib import Path

        from wagents.workspace.changes import changes_in

        servers = changes_in(workspace, names or [], Path.cwd()).select(workspace.servers())
    else:
        servers = workspace.select(names or [])
    if changed_since is not None:
        from wagents.workspace.changes import changes_since

        servers = changes_since(workspace, changed_since).select(servers)
    options = Options(
        select=tuple(select or ()),
        ignore=tuple(ignore or ()),
        jobs=jobs,
        timeout=timeout,
        isolated=isolated,
        live=live,
        cache=not no_cache,
        runner=str(runner),
        describe_rules=str(output_format) == "sarif",  # the only format printing rule docs
    )
    # Daemons of a server that exited mid-import are re-parented to us, not init: kill them after.
    with reaping():
        with Progress(len(servers), "validating") as progress:
            report = run_validation(workspace, servers, options, on_server_done=progress.advance)
        if fix and servers:
            names = [server.name for server in servers]
            report = _fix_and_revalidate(workspace, names, options, report)
    if verbose:
        if changed_since is not None:
            typer.echo(f"wagents: {len(servers)} server(s) changed since {changed_since}", err=True)
        for line in describe(report.info, workspace):
            typer.echo(f"wagents: {line}", err=True)
    color = sys.stdout.isatty() and "NO_COLOR" not in os.environ
    sys.stdout.write(renderer(str(output_format))(report, color))
    raise typer.Exit(1 if report.fails(strict) else 0)


def _fix_and_revalidate(
    workspace: Workspace, names: list[str], options: Options, report: Report
) -> Report:
    """Apply the fixers of the selected rules to `report`'s findings; validate the servers
    `names` again when something changed."""
    from wagents.check.engine import selected_rules
    from wagents.check.engine import validate as run_validation
    from wagents.check.fixes import apply_fixes
    from wagents.workspace.root import Workspace

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


def describe(info: RunInfo, workspace: Workspace) -> list[str]:
    """What `--verbose` says about a run: the probe runner, the cache, the time."""
    lines = []
    probes = info.probes
    if probes.runner == "zygote" and probes.detail:
        lines.append(
            f"import checks: forked from a preloaded zygote ({probes.detail}), "
            f"{probes.jobs} at a time"
        )
        if probes.reason:
            lines.append(f"{probes.reason}; the rest ran in fresh processes")
    elif probes.runner == "zygote":
        lines.append(
            f"import checks: one fresh process per server, {probes.jobs} at a time "
            f"({probes.reason})"
        )
    elif probes.runner == "process":
        lines.append(
            f"import checks: one fresh process per server, {probes.jobs} at a time "
            f"(no zygote: {probes.reason})"
        )
    else:
        lines.append("import checks: none to run")
    for server_dir, reason in probes.fallbacks:
        lines.append(f"{workspace.relative(server_dir)}: checked in a fresh process: {reason}")
    if info.live:
        lines.append(
            f"--live: {info.live} server(s) started, {info.live_jobs} at a time, in "
            f"{info.live_seconds:.2f} s ({info.live_seconds / info.live:.2f} s per server)"
        )
    if info.cache_error is not None:
        lines.append(f"cache: not used ({info.cache_error})")
    elif info.cache_dir is None:
        lines.append("cache: off (--no-cache)")
    else:
        lines.append(
            f"cache: {info.cached} server(s) from {workspace.relative(info.cache_dir)}, "
            f"{info.checked} checked, {info.stored} stored"
        )
    lines.append(f"done in {info.seconds:.2f} s")
    return lines

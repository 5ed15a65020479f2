"""`wagents surface`: each server's MCP surface as canonical JSON, written to or checked against
its committed mcp-surface.json."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    app.command(name="surface")(surface)


def surface(
    names: Annotated[
        list[str] | None, typer.Argument(help="Servers to describe (default: every server).")
    ] = None,
    write: Annotated[
        bool, typer.Option("--write", help="Write each server's mcp-surface.json.")
    ] = False,
    check: Annotated[
        bool,
        typer.Option(
            "--check", help="Exit 1 when a snapshot is missing or differs; write nothing."
        ),
    ] = False,
    jobs: Annotated[
        int | None,
        typer.Option("--jobs", "-j", min=1, help="Servers probed at once (default: CPUs)."),
    ] = None,
    timeout: Annotated[
        float, typer.Option("--timeout", min=0.1, help="Seconds each server may take.")
    ] = 30.0,
) -> None:
    """Print what MCP clients see of each server: its tools, prompts, resources, templates,
    name, version, instructions and capabilities, as canonical JSON (sorted keys, components
    sorted by name or URI, no timestamps).

    The surface comes from an MCP session with the server in a sandboxed process of its own, as
    `wagents validate` probes it. One server prints its surface, several print one object by
    server name. --write stores each in mcp/NAME/mcp-surface.json (commit it: rule surface-drift
    checks it, `wagents diff` compares it between commits); --check writes nothing and exits 1
    when a snapshot is missing or out of date. A server whose surface cannot be taken (it does
    not import or start) is an error line and exit status 1.
    """
    from wagents.analysis.surface import canonical_json
    from wagents.check.surface import (
        SnapshotState,
        check_snapshot,
        probe_surfaces,
        snapshot_path,
        summary_of_changes,
        write_snapshot,
    )
    from wagents.model import UsageError
    from wagents.probe.proctree import reaping
    from wagents.workspace.root import Workspace

    if write and check:
        raise UsageError("--write and --check exclude each other")
    workspace = Workspace.find()
    servers = workspace.select(names or [])
    with reaping():
        taken = probe_surfaces(workspace, servers, jobs=jobs, timeout=timeout)
    failed = False
    surfaces = {}
    for result in taken:
        if result.surface is None:
            typer.echo(f"error: {result.server.name}: no surface: {result.problem}", err=True)
            failed = True
            continue
        surfaces[result.server.name] = result.surface
        relative = workspace.relative(snapshot_path(result.files))
        if write:
            changed = write_snapshot(result.files, result.surface)
            typer.echo(f"{relative}: {'written' if changed else 'up to date'}")
        elif check:
            outcome = check_snapshot(result.files.surface_snapshot, result.surface)
            if outcome.state is SnapshotState.CURRENT:
                typer.echo(f"{relative}: up to date")
                continue
            failed = True
            changes = summary_of_changes(outcome.changes)
            detail = {
                SnapshotState.MISSING: "missing",
                SnapshotState.INVALID: f"invalid: {outcome.problem}",
                SnapshotState.DIFFERS: f"out of date: {changes}" if changes else "out of date",
            }[outcome.state]
            typer.echo(f"{relative}: {detail}")
    if not write and not check:
        document = next(iter(surfaces.values())) if len(servers) == 1 and surfaces else surfaces
        if len(servers) != 1 or surfaces:
            typer.echo(canonical_json(document), nl=False)
    if failed:
        if check:
            typer.echo(
                "run `wagents surface --write` and commit the snapshots with the change", err=True
            )
        raise typer.Exit(1)


def write_first_snapshot(workspace_root: Path, name: str) -> None:
    """Probe a server `wagents new` or `adopt` just made and write its snapshot; a server whose
    surface cannot be taken gets a warning (validation says why), not a failure."""
    from wagents.check.surface import probe_surfaces, snapshot_path, write_snapshot
    from wagents.probe.proctree import reaping
    from wagents.workspace.root import Workspace

    workspace = Workspace.find(workspace_root)
    with reaping():
        (taken,) = probe_surfaces(workspace, workspace.select([name]), jobs=1)
    relative = workspace.relative(snapshot_path(taken.files))
    if taken.surface is None:
        typer.echo(f"warning: {relative} not written: {taken.problem}", err=True)
        return
    write_snapshot(taken.files, taken.surface)
    typer.echo(f"Wrote {relative} (what clients see of it; commit it with the server)")


class SnapshotOfRendered:
    """For `wagents new`: the snapshot of the rendered server, probed before anything is
    written, so that it is created with the other files (all or nothing). `problem` says why
    there is none (the probe then runs again once the server exists and is synced)."""

    def __init__(self) -> None:
        self.problem: str | None = None

    def __call__(self, name: str, files: Mapping[str, str]) -> dict[str, str]:
        from wagents.analysis.surface import canonical_json
        from wagents.check.surface import surface_of_files
        from wagents.probe.proctree import reaping
        from wagents.workspace.listing import SURFACE_FILE

        with reaping():
            surface, self.problem = surface_of_files(name, files)
        return {} if surface is None else {SURFACE_FILE: canonical_json(surface)}

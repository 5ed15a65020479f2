"""Rules about a server's MCP surface: what clients see of it, against its committed snapshot."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wagents.check.facts import ServerFacts
from wagents.check.rules import Problem, Stage, rule
from wagents.check.surface import (
    SnapshotState,
    check_snapshot,
    snapshot_path,
    summary_of_changes,
    surface_of,
)
from wagents.model import Severity
from wagents.workspace.listing import SURFACE_FILE


@rule("surface-drift", Severity.ERROR, stage=Stage.RUNTIME, requires=("import-check", "startup"))
def surface_drift(facts: ServerFacts) -> Iterator[Problem]:
    """The committed surface snapshot (`mcp-surface.json`) is what clients see of the server now.

    A server's tools, prompts, resources and templates are an API: agents and clients call them
    by name with arguments their schemas describe. `mcp-surface.json`, written by `wagents
    surface --write NAME`, records that surface as the clients received it (each component's
    wire JSON, the server's name, version, instructions and capabilities), so that a pull
    request shows every change to it and `wagents diff` can classify them as breaking,
    compatible or for review. A snapshot that differs from the server's current surface means
    the code changed and the record did not: the diff a reviewer reads is wrong. The finding
    lists the first differences; write the snapshot again (`wagents surface --write NAME`, or
    `wagents validate --fix`) and commit it with the change. A server without a snapshot gets
    an info finding (`--fix` writes one).

    Facts: the surface comes from the probe's in-memory MCP session (`initialize` and every
    page of `tools/list`, `prompts/list`, `resources/list`, `resources/templates/list`), the
    snapshot from the server directory. It cannot see what the session does not show: tools
    that appear only for an authenticated client, after a call, or with other settings
    (`probe-env`); a description that embeds a machine's path or the time makes the snapshot
    differ on every machine or every run. A snapshot written by another fastmcp version may
    differ only in what fastmcp adds (capabilities, `_meta`): the change is real for clients.

    Bad::

        # server.py renamed a parameter, mcp-surface.json still has the old name
        def forecast(place: Annotated[str, Field(description="City name")]) -> str: ...

    Good::

        uv run wagents surface --write weather   # then commit mcp-surface.json with server.py
    """
    surface = surface_of(facts.runtime)
    if surface is None or facts.runtime is None or not facts.runtime.stable:
        return
    path = snapshot_path(facts.files)
    outcome = check_snapshot(facts.files.surface_snapshot, surface)
    write = f"`wagents surface --write {facts.server.name}`"
    if outcome.state is SnapshotState.MISSING:
        yield Problem(
            f"no {SURFACE_FILE} yet: {write} records the server's tools, prompts and resources "
            "so that pull requests show and `wagents diff` classifies every change to them",
            path,
            severity=Severity.INFO,
        )
    elif outcome.state is SnapshotState.INVALID:
        yield Problem(f"{SURFACE_FILE} {outcome.problem}: run {write}", path, outcome.line)
    elif outcome.state is SnapshotState.DIFFERS:
        changes = summary_of_changes(outcome.changes) or _version_change(facts, surface)
        yield Problem(
            f"{SURFACE_FILE} differs from the server's current surface ({changes}): run {write} "
            "and commit it",
            path,
        )


def _version_change(facts: ServerFacts, surface: dict[str, Any]) -> str:
    snapshot = facts.files.surface_snapshot
    recorded = snapshot.value if snapshot is not None and isinstance(snapshot.value, dict) else {}
    before = (recorded.get("server") or {}).get("version")
    after = surface["server"].get("version")
    if before != after:
        return f"server version {before} → {after}"
    return "keys the comparison does not list"

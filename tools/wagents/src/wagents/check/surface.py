"""Surface snapshots: a server's MCP surface from its probe, and its committed mcp-surface.json.

A server's surface (see `wagents.analysis.surface`) is taken from the probe's in-memory MCP
session, the same one `wagents validate` runs: the server is imported in a sandboxed process of
its own, never here. `wagents surface --write` stores it in the server directory; rule
`surface-drift` compares the two on every validation, and `wagents diff` compares the committed
snapshots of two commits.
"""

from __future__ import annotations

import enum
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wagents.analysis.compat_diff import Change, compare_surfaces
from wagents.analysis.surface import build_surface, canonical_json, surface_problem
from wagents.files.atomic import atomic_write
from wagents.files.load import Loaded
from wagents.model import Server, UsageError
from wagents.probe.protocol import PHASE_TEXT, RuntimeFacts
from wagents.probe.runner import ProbeLimits, ProbeRequest, request_for, run_probe
from wagents.probe.scheduler import Prober
from wagents.workspace.listing import SURFACE_FILE
from wagents.workspace.root import Workspace
from wagents.workspace.server import ServerFiles


def surface_of(runtime: RuntimeFacts | None) -> dict[str, Any] | None:
    """The surface the probe's session saw, None when the session did not get through."""
    if unavailable(runtime) is not None:
        return None
    assert runtime is not None and runtime.server is not None and runtime.session is not None
    info, session = runtime.server, runtime.session
    return build_surface(
        name=session.server_name,
        version=session.server_version,
        instructions=session.instructions,
        capabilities=session.capabilities,
        tools=[tool.wire for tool in info.tools],
        prompts=[prompt.wire for prompt in info.prompts],
        resources=[resource.wire for resource in info.resources],
        templates=[template.wire for template in info.templates],
    )


def unavailable(runtime: RuntimeFacts | None) -> str | None:
    """Why a probe's facts hold no surface (None: they hold one)."""
    if runtime is None:
        return "it was not probed"
    if not runtime.imported:
        detail = f": {runtime.message}" if runtime.message else ""
        return f"it does not import ({runtime.status}{detail}); see `wagents validate`"
    session = runtime.session
    if session is None:
        return "the probe opened no MCP session with it"
    if not session.ok:
        stage = PHASE_TEXT[session.phase]
        if session.timed_out:
            return f"its MCP session timed out while {stage}"
        detail = f": {session.message}" if session.message else ""
        return f"its MCP session failed while {stage}{detail}"
    return None


@dataclass(frozen=True)
class ServerSurface:
    """One server's surface, or why there is none (`problem`)."""

    files: ServerFiles
    surface: dict[str, Any] | None
    problem: str | None = None

    @property
    def server(self) -> Server:
        return self.files.server


def probe_surfaces(
    workspace: Workspace,
    servers: Sequence[Server],
    *,
    jobs: int | None = None,
    timeout: float = 30.0,
    runner: str = "auto",
) -> list[ServerSurface]:
    """Probe `servers` (the zygote's forks, or fresh processes) and return their surfaces in
    the order given."""
    files = [ServerFiles(server, workspace) for server in servers]
    by_directory: dict[Path, RuntimeFacts] = {}
    with Prober(ProbeLimits(timeout=timeout), jobs=jobs, runner=runner) as prober:
        prober.submit(request_for(item) for item in files)
        for request, runtime in prober.results():
            by_directory[request.server_dir] = runtime
    results = []
    for item in files:
        facts = by_directory.get(item.path)
        results.append(ServerSurface(item, surface_of(facts), unavailable(facts)))
    return results


def surface_of_files(
    name: str, files: Mapping[str, str | bytes], timeout: float = 30.0
) -> tuple[dict[str, Any] | None, str | None]:
    """The surface of a server that exists only as files (rendered, not written yet), and why
    there is none: the files are laid out in a temporary directory and probed there, in a
    sandboxed process of its own (for a server whose code needs nothing of the workspace)."""
    with tempfile.TemporaryDirectory(prefix="wagents-surface-") as scratch:
        server_dir = Path(scratch) / name
        for relative, content in files.items():
            path = server_dir / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        runtime = run_probe(ProbeRequest(server_dir), ProbeLimits(timeout=timeout))
    return surface_of(runtime), unavailable(runtime)


class SnapshotState(enum.StrEnum):
    """How a server's committed snapshot compares with its current surface."""

    CURRENT = "current"
    MISSING = "missing"
    DIFFERS = "differs"
    INVALID = "invalid"


@dataclass(frozen=True)
class SnapshotCheck:
    """The comparison of a snapshot with a surface: its state, what is wrong with the file when
    it is invalid, and the changes from the snapshot to the surface when it differs."""

    state: SnapshotState
    problem: str | None = None
    changes: tuple[Change, ...] = ()
    line: int | None = None


def check_snapshot(snapshot: Loaded[Any] | None, surface: dict[str, Any]) -> SnapshotCheck:
    """Compare a loaded snapshot (`ServerFiles.surface_snapshot`) with the current surface."""
    if snapshot is None:
        return SnapshotCheck(SnapshotState.MISSING)
    if snapshot.error is not None:
        return SnapshotCheck(
            SnapshotState.INVALID, snapshot.error.message, line=snapshot.error.line
        )
    value = snapshot.value
    problem = surface_problem(value)
    if problem is not None or not isinstance(value, dict):
        return SnapshotCheck(SnapshotState.INVALID, problem)
    if value == surface:
        return SnapshotCheck(SnapshotState.CURRENT)
    return SnapshotCheck(SnapshotState.DIFFERS, changes=tuple(compare_surfaces(value, surface)))


def summary_of_changes(changes: Iterable[Change], limit: int = 3) -> str:
    """`tool:echo /description: description changed ...; ... and 2 more` (for one line)."""
    listed = list(changes)
    shown = [
        f"{change.component}{' ' + change.path if change.path else ''}: {change.message}"
        for change in listed[:limit]
    ]
    more = f"; and {len(listed) - limit} more" if len(listed) > limit else ""
    return "; ".join(shown) + more


def snapshot_path(files: ServerFiles) -> Path:
    return files.path / SURFACE_FILE


def write_snapshot(files: ServerFiles, surface: dict[str, Any]) -> bool:
    """Write `surface` as the server's snapshot (atomically); False when it was already current.

    A snapshot that is a symlink is not written through (it may point out of the workspace):
    UsageError.
    """
    path = snapshot_path(files)
    text = canonical_json(surface)
    if path.is_symlink():
        raise UsageError(f"{files.relative(path)} is a symlink; not writing through it")
    try:
        if path.read_bytes() == text.encode("utf-8"):
            return False
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        pass
    atomic_write(path, text.encode("utf-8"))
    return True

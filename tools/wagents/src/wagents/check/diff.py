"""`wagents diff`: each server's committed surface snapshot at the merge base against the working
tree, every change classified, and the version policy applied.

The old snapshot is `mcp/NAME/mcp-surface.json` at the merge base of a ref and `HEAD` (as
`--changed-since` measures a pull request), read from git; the new one is the working tree's
file. Snapshots only: nothing is imported or probed here (rule `surface-drift` makes sure the
working tree's snapshot is the server's current surface). The classification is
`wagents.analysis.compat_diff`'s; the version policy (`wagents.analysis.version_policy`)
compares `[project].version` of the server's pyproject.toml at the base and now: a breaking
change must come with a bump of the left-most non-zero component (Cargo's rule).
"""

from __future__ import annotations

import enum
import json
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from wagents.analysis.compat_diff import Change, Kind, compare_surfaces
from wagents.analysis.surface import surface_problem
from wagents.analysis.version_policy import BumpVerdict, judge_bump
from wagents.model import Server
from wagents.workspace.changes import files_at, merge_base
from wagents.workspace.listing import SURFACE_FILE
from wagents.workspace.root import Workspace
from wagents.workspace.server import PYPROJECT, ServerFiles


class DiffStatus(enum.StrEnum):
    """What could be compared for one server."""

    COMPARED = "compared"  # a snapshot at the base and in the working tree
    NEW = "new"  # the server did not exist at the base: everything is new
    NO_BASE_SNAPSHOT = "no-base-snapshot"  # it existed, without a snapshot: nothing to compare
    NO_SNAPSHOT = "no-snapshot"  # no snapshot in the working tree (nor at the base)
    SNAPSHOT_REMOVED = "snapshot-removed"  # the base had one, the working tree has none
    UNREADABLE = "unreadable"  # a snapshot that is not a surface document


@dataclass(frozen=True)
class ServerDiff:
    """One server's changes since the base and its versions there and now.

    `verdict` is the version policy's answer when there are breaking changes (None otherwise).
    """

    server: str
    status: DiffStatus
    changes: tuple[Change, ...] = ()
    before: str | None = None
    after: str | None = None
    verdict: BumpVerdict | None = None
    note: str | None = None
    pyproject: str = ""

    def count(self, kind: Kind) -> int:
        return sum(1 for change in self.changes if change.kind is kind)

    @property
    def unacknowledged(self) -> bool:
        """A breaking change without the version bump it needs."""
        return self.verdict is not None and not self.verdict.acknowledged


@dataclass(frozen=True)
class DiffReport:
    """What `wagents diff` found: the ref, the merge base and each server's diff."""

    ref: str
    base: str
    servers: tuple[ServerDiff, ...]

    @property
    def changes(self) -> list[tuple[str, Change]]:
        return [(item.server, change) for item in self.servers for change in item.changes]

    def count(self, kind: Kind) -> int:
        return sum(item.count(kind) for item in self.servers)

    @property
    def unacknowledged(self) -> list[str]:
        return [item.server for item in self.servers if item.unacknowledged]

    @property
    def exit_code(self) -> int:
        """1 while a breaking change is not acknowledged by a version bump, else 0."""
        return 1 if self.unacknowledged else 0

    def to_json(self) -> dict[str, Any]:
        """`{"changes": [{"server", "kind", "component", "path", "message"}], "summary": ...}`."""
        return {
            "changes": [
                {
                    "server": server,
                    "kind": change.kind.value,
                    "component": change.component,
                    "path": change.path,
                    "message": change.message,
                }
                for server, change in self.changes
            ],
            "summary": {
                "ref": self.ref,
                "base": self.base,
                "servers": len(self.servers),
                "breaking": self.count(Kind.BREAKING),
                "compatible": self.count(Kind.COMPATIBLE),
                "review": self.count(Kind.REVIEW),
                "unacknowledged": self.unacknowledged,
                "versions": {
                    item.server: {
                        "status": item.status.value,
                        "before": item.before,
                        "after": item.after,
                        "required": item.verdict.required if item.verdict else None,
                        "acknowledged": item.verdict.acknowledged if item.verdict else None,
                        "note": item.note,
                    }
                    for item in self.servers
                },
            },
        }


def diff_servers(workspace: Workspace, servers: Sequence[Server], ref: str) -> DiffReport:
    """Compare each server's snapshot at the merge base of `ref` and HEAD with the working
    tree's. Raises UsageError for git problems (no git, unknown ref, no shared history)."""
    base = merge_base(workspace, ref, option="--since")
    directories = [workspace.relative(server.path) for server in servers]
    old = files_at(
        workspace,
        base,
        [f"{directory}/{name}" for directory in directories for name in (PYPROJECT, SURFACE_FILE)],
    )
    return DiffReport(
        ref,
        base,
        tuple(
            _diff(
                workspace,
                server,
                old[f"{directory}/{PYPROJECT}"],
                old[f"{directory}/{SURFACE_FILE}"],
            )
            for server, directory in zip(servers, directories, strict=True)
        ),
    )


def _diff(
    workspace: Workspace, server: Server, old_pyproject: bytes | None, old_snapshot: bytes | None
) -> ServerDiff:
    """One server's diff, given its pyproject.toml and snapshot at the base (None: none)."""
    files = ServerFiles(server, workspace)
    directory = workspace.relative(server.path)
    version = files.project.get("version")
    after = version if isinstance(version, str) else None
    before = _version(old_pyproject)

    def result(
        status: DiffStatus,
        changes: tuple[Change, ...] = (),
        verdict: BumpVerdict | None = None,
        note: str | None = None,
    ) -> ServerDiff:
        pyproject = f"{directory}/{PYPROJECT}"
        return ServerDiff(server.name, status, changes, before, after, verdict, note, pyproject)

    current = files.surface_snapshot
    if current is None:
        if old_snapshot is None:
            note = f"no {SURFACE_FILE} (`wagents surface --write {server.name}` writes one)"
            return result(DiffStatus.NO_SNAPSHOT, note=note)
        removed = Change(
            Kind.REVIEW, "server", "", f"{SURFACE_FILE} was deleted: nothing to compare with"
        )
        return result(DiffStatus.SNAPSHOT_REMOVED, (removed,))
    new, problem = current.value, current.error.message if current.error else None
    problem = problem or surface_problem(new)
    if problem is not None or not isinstance(new, dict):
        change = Change(Kind.REVIEW, "server", "", f"{SURFACE_FILE} {problem}: cannot compare")
        return result(DiffStatus.UNREADABLE, (change,))
    if old_snapshot is None:
        if old_pyproject is not None:
            note = f"no {SURFACE_FILE} at the base: this is the first snapshot, nothing to compare"
            return result(DiffStatus.NO_BASE_SNAPSHOT, note=note)
        empty = {**new, "tools": [], "prompts": [], "resources": [], "resourceTemplates": []}
        changes = tuple(compare_surfaces(empty, new))
        return result(DiffStatus.NEW, changes, note="a new server")
    old, problem = _parse(old_snapshot)
    if old is None:
        change = Change(
            Kind.REVIEW, "server", "", f"{SURFACE_FILE} at the base {problem}: cannot compare"
        )
        return result(DiffStatus.UNREADABLE, (change,))
    changes = tuple(compare_surfaces(old, new))
    breaking = any(change.kind is Kind.BREAKING for change in changes)
    verdict = judge_bump(before, after) if breaking else None
    return result(DiffStatus.COMPARED, changes, verdict)


def _parse(content: bytes) -> tuple[dict[str, Any] | None, str | None]:
    try:
        document = json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        return None, f"is not valid JSON ({exc})"
    problem = surface_problem(document)
    if problem is not None or not isinstance(document, dict):
        return None, problem
    return document, None


def _version(pyproject: bytes | None) -> str | None:
    if pyproject is None:
        return None
    try:
        project = tomllib.loads(pyproject.decode("utf-8")).get("project")
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    version = project.get("version") if isinstance(project, dict) else None
    return version if isinstance(version, str) else None

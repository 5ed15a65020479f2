"""`wagents compat`: which clients accept which servers, as a matrix of servers by client profiles.

Each server is probed in a process of its own (as `wagents validate` does) and its tools, as
the probe's MCP session received them, are held against every chosen profile
(`wagents.analysis.compat`): a cell is `ok`, `warnings` (the client renames a tool or handles it
worse) or `refused` (the client rejects or hides at least one tool, or the whole request), with
the number of tools concerned and the worst constraint. The printers are in
`wagents.check.report.compat_matrix`.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from wagents.analysis import compat
from wagents.analysis.profiles import load_profiles
from wagents.model import Server, UsageError
from wagents.probe.runner import ProbeLimits, request_for, run_probes
from wagents.workspace.root import Workspace
from wagents.workspace.server import ServerFiles

_SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}


class Status(enum.StrEnum):
    """A server's standing with one client."""

    OK = "ok"
    WARNINGS = "warnings"
    REFUSED = "refused"


@dataclass(frozen=True)
class Cell:
    """One server and one client: the status, the tools concerned, every violation."""

    client: str
    status: Status
    violations: tuple[compat.Violation, ...] = ()
    tool_count: int = 0

    @property
    def tools(self) -> int:
        """How many of the server's tools a violation concerns (a server-wide one: all)."""
        if any(item.tool is None for item in self.violations):
            return self.tool_count
        return len({item.tool for item in self.violations})

    @property
    def worst(self) -> compat.Violation | None:
        """The violation that matters most: blocking first, then by severity."""
        if not self.violations:
            return None
        return min(
            self.violations,
            key=lambda item: (not item.blocking, _SEVERITY_RANK[item.constraint.severity]),
        )

    def as_dict(self) -> dict[str, Any]:
        worst = self.worst
        return {
            "status": str(self.status),
            "tools": self.tools,
            "worst": worst.constraint.id if worst is not None else None,
            "violations": [
                {
                    "constraint": item.constraint.id,
                    "tool": item.tool,
                    "effect": item.constraint.effect,
                    "severity": item.constraint.severity,
                    "evidence": item.constraint.evidence,
                    "message": item.message,
                }
                for item in self.violations
            ],
        }


@dataclass(frozen=True)
class Row:
    """One server: its cells, or why it could not be probed."""

    server: str
    cells: tuple[Cell, ...] = ()
    #: Why there are no cells (the import failed, no FastMCP server), else None.
    problem: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "server": self.server,
            "problem": self.problem,
            "clients": {cell.client: cell.as_dict() for cell in self.cells},
        }


@dataclass(frozen=True)
class Matrix:
    """Every server's row, for the same clients."""

    clients: tuple[str, ...]
    rows: tuple[Row, ...]

    @property
    def refused(self) -> bool:
        """A client refuses a server, or a server could not be probed."""
        return any(
            row.problem is not None or any(cell.status is Status.REFUSED for cell in row.cells)
            for row in self.rows
        )

    def as_dict(self) -> dict[str, Any]:
        return {"clients": list(self.clients), "servers": [row.as_dict() for row in self.rows]}


def choose_clients(names: Sequence[str]) -> tuple[str, ...]:
    """The profiles to show: the names given (comma lists allowed), or every profile."""
    profiles = load_profiles()
    chosen = [part.strip() for name in names for part in name.split(",") if part.strip()]
    unknown = [name for name in chosen if name not in profiles]
    if unknown:
        raise UsageError(
            f"no client profile {', '.join(unknown)} (profiles: {', '.join(profiles)})"
        )
    return tuple(dict.fromkeys(chosen)) if chosen else tuple(profiles)


def cell(client: str, server_key: str, tools: Sequence[dict[str, Any]]) -> Cell:
    """One server's standing with one client, from its wire tools."""
    found = tuple(compat.violations(load_profiles()[client], server_key, tools))
    if any(item.blocking for item in found):
        status = Status.REFUSED
    elif found:
        status = Status.WARNINGS
    else:
        status = Status.OK
    return Cell(client, status, found, len(tools))


def compat_matrix(
    workspace: Workspace,
    servers: Sequence[Server],
    clients: Sequence[str],
    timeout: float = 30.0,
    jobs: int | None = None,
) -> Matrix:
    """Probe `servers` and hold their tools against each of `clients` (profile names)."""
    files = {server.path: ServerFiles(server, workspace) for server in servers}
    requests = [request_for(item) for item in files.values()]
    probed = {
        request.server_dir: runtime
        for request, runtime in run_probes(requests, ProbeLimits(timeout=timeout), jobs)
    }
    rows = []
    for server in servers:
        runtime = probed.get(server.path)
        info = runtime.server if runtime is not None and runtime.imported else None
        if info is None:
            reason = (
                f"{runtime.status}: {runtime.message or 'no details'}"
                if runtime is not None
                else "not probed"
            )
            rows.append(Row(server.name, problem=reason))
            continue
        tools = [tool.wire for tool in info.tools]
        rows.append(Row(server.name, tuple(cell(name, server.name, tools) for name in clients)))
    return Matrix(tuple(clients), tuple(rows))

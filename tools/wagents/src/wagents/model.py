"""The values every part of wagents passes around: servers, severities and findings."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path


class Severity(enum.StrEnum):
    """How much a finding matters; `error` fails `wagents validate`."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Sort key: errors first."""
        return _RANK[self]


_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


@dataclass(frozen=True, order=True)
class Server:
    """One MCP server of the workspace: the directory `mcp/<name>/`."""

    name: str
    path: Path


@dataclass(frozen=True)
class Finding:
    """One thing a rule reports about one server.

    `path` is relative to the workspace root (POSIX separators); `line` is 1-based or None.
    """

    server: str
    rule: str
    severity: Severity
    message: str
    path: str | None = None
    line: int | None = None

    def as_dict(self) -> dict[str, object]:
        """The JSON shape of a finding (the keys of `--format json`)."""
        return {
            "server": self.server,
            "rule": self.rule,
            "severity": str(self.severity),
            "message": self.message,
            "path": self.path,
            "line": self.line,
        }

    @property
    def sort_key(self) -> tuple[str, int, str, str, int, str]:
        return (
            self.server,
            self.severity.rank,
            self.rule,
            self.path or "",
            self.line or 0,
            self.message,
        )


class UsageError(Exception):
    """Bad input from the user: printed as one line, exit status 2."""


@dataclass(frozen=True)
class Suppressed:
    """A finding that a `[tool.wagents] ignore` entry of its server silenced, and why."""

    finding: Finding
    reason: str

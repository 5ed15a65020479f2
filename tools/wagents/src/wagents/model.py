"""The values every room of wagents passes around: servers, severities, findings and reports.

Frozen values only; nothing here reads files or runs anything, and this module imports no other
module of wagents.
"""

from __future__ import annotations

import enum
import inspect
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

#: The rule slug under which a crashing rule is reported.
INTERNAL_ERROR = "internal-error"


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
    `subject` names the component the finding is about (a tool's name) when there is one; its
    message then says `tool '<subject>'`, so that the text printer can list many tools that share
    one finding on one line (the other formats keep one finding each; `--format json` leaves
    `subject` out).
    """

    server: str
    rule: str
    severity: Severity
    message: str
    path: str | None = None
    line: int | None = None
    subject: str | None = None

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


#: The longest message a finding carries (a longer one is cut, with an ellipsis).
MAX_MESSAGE = 1000


def one_line(text: str, limit: int = MAX_MESSAGE) -> str:
    """`text` on one line: its lines joined by " / " (blank ones dropped), cut at `limit`."""
    joined = " / ".join(line.strip() for line in text.splitlines() if line.strip())
    return joined if len(joined) <= limit else joined[: limit - 1].rstrip() + "…"


class UsageError(Exception):
    """Bad input from the user: printed as one line, exit status 2."""


@dataclass(frozen=True)
class Suppressed:
    """A finding that a `[tool.wagents] ignore` entry of its server silenced, and why."""

    finding: Finding
    reason: str


@dataclass(frozen=True)
class SecurityInfo:
    """Where a security rule sits in the OWASP MCP Top 10, as code scanning reads it."""

    #: SARIF `properties.tags`: `security`, `owasp-mcp-top-10/MCP05:2025`, `external/cwe/...`.
    tags: tuple[str, ...]
    #: GitHub code scanning's `security-severity` (a CVSS-like score as text).
    severity: str
    #: One line for the docs: `OWASP MCP05:2025 (...) · CWE-78 · security-severity 9.8`.
    summary: str


@dataclass(frozen=True)
class RuleInfo:
    """What a report tells about a rule: its slug, default severity, family and documentation.

    The rule registry (`wagents.check.rules`) adds the function that implements it.
    """

    slug: str
    severity: Severity
    family: str
    #: The rule's docstring, as written (see `wagents.check.ruledoc` for its parts).
    docstring: str
    #: For a security rule: its OWASP MCP Top 10 category, CWE ids and severity.
    security: SecurityInfo | None = field(default=None, kw_only=True)

    @property
    def doc(self) -> str:
        return inspect.cleandoc(self.docstring or "")

    @property
    def summary(self) -> str:
        return self.doc.splitlines()[0] if self.doc else ""


@dataclass(frozen=True)
class ProbeSummary:
    """How the probes of a run went: which runner, how many at once, and why any fell back."""

    runner: str = "none"  # "zygote", "process", or "none" (nothing to probe)
    jobs: int = 0
    reason: str | None = None  # why the zygote was not used, or stopped being used
    detail: str | None = None  # the zygote's pid, what it preloaded, how long that took
    #: (server directory, why it ran in a fresh process instead of a zygote child)
    fallbacks: tuple[tuple[Path, str], ...] = ()


@dataclass(frozen=True)
class RunInfo:
    """How a validation run went, for `--verbose`: probes, cache, time."""

    probes: ProbeSummary = field(default_factory=ProbeSummary)
    cache_dir: Path | None = None
    cache_error: str | None = None  # why the cache was not used although asked for
    cached: int = 0  # servers whose findings came from the cache
    checked: int = 0  # servers whose rules ran
    stored: int = 0  # cache entries written
    live: int = 0  # servers started with --live
    live_seconds: float = 0.0  # the time those launches took, in all
    live_jobs: int = 0  # how many servers were launched at once
    seconds: float = 0.0


@dataclass(frozen=True)
class Report:
    """The outcome of a validation run: what printers print.

    `path_prefix` is the workspace root's place in its git repository ("" at the top, else
    "sub/dir/"): CI formats give paths relative to the repository, findings to the workspace.
    """

    servers: tuple[str, ...]
    findings: tuple[Finding, ...] = ()
    suppressed: tuple[Suppressed, ...] = ()
    rules: tuple[RuleInfo, ...] = ()
    server_paths: dict[str, str] = field(default_factory=dict)
    path_prefix: str = ""
    info: RunInfo = field(default_factory=RunInfo, compare=False)

    def count(self, severity: Severity) -> int:
        return sum(1 for finding in self.findings if finding.severity is severity)

    @property
    def summary(self) -> dict[str, int]:
        counts = Counter(finding.severity for finding in self.findings)
        return {
            "servers": len(self.servers),
            "errors": counts[Severity.ERROR],
            "warnings": counts[Severity.WARNING],
            "info": counts[Severity.INFO],
        }

    @property
    def failed(self) -> bool:
        return self.count(Severity.ERROR) > 0

    def fails(self, strict: bool = False) -> bool:
        """Whether the run fails: any error, or with `strict` any warning too."""
        return self.failed or (strict and self.count(Severity.WARNING) > 0)

"""The rule registry: every check `wagents validate` runs, with its slug, severity and docs.

A rule is a function decorated with `@rule`. It receives a server's facts and yields `Problem`s;
it never opens files or starts processes itself (facts.py and runner.py do that). Its docstring is
its documentation: the first line is the summary `wagents rules` prints, the rest is what
`wagents rules SLUG` shows.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from wagents.analysis.owasp import Classification, classification
from wagents.check.facts import ServerFacts
from wagents.check.ruledoc import RuleDoc
from wagents.check.ruledoc import parse as parse_doc
from wagents.model import Severity

#: The modules holding rules, one per family, in the order `wagents rules` lists them.
FAMILIES = (
    "layout",
    "config",
    "dependencies",
    "runtime",
    "code",
    "project",
    "secrets",
    "security",
    "deploy",
    "suppressions",
)


@dataclass(frozen=True)
class Problem:
    """What a rule reports: a message and where (an absolute path and 1-based line)."""

    message: str
    path: Path | None = None
    line: int | None = None
    severity: Severity | None = None  # overrides the rule's default severity


Check = Callable[[ServerFacts], Iterable[Problem]]


@dataclass(frozen=True)
class Rule:
    """One check: a stable slug, a default severity and the function that implements it."""

    slug: str
    severity: Severity
    family: str
    check: Check
    runtime: bool
    after_findings: bool = False

    @property
    def doc(self) -> str:
        return inspect.cleandoc(self.check.__doc__ or "")

    @property
    def summary(self) -> str:
        return self.doc.splitlines()[0] if self.doc else ""

    @property
    def classification(self) -> Classification | None:
        """For a security rule: its OWASP MCP Top 10 category, CWE ids and security-severity
        (wagents/analysis/data/owasp.toml)."""
        return classification(self.slug)

    @property
    def parts(self) -> RuleDoc:
        """The docstring split into summary, description and the Bad/Good examples."""
        return parse_doc(self.doc)


_REGISTRY: dict[str, Rule] = {}


def rule(
    slug: str, severity: Severity, *, runtime: bool = False, after_findings: bool = False
) -> Callable[[Check], Check]:
    """Register a rule. `runtime=True` means it needs the probe's runtime facts;
    `after_findings=True` that it runs after the others and suppressions (it reads
    `ServerFacts.unused_ignores`)."""

    def register(check: Check) -> Check:
        if slug in _REGISTRY:
            raise ValueError(f"duplicate rule slug {slug!r}")
        family = check.__module__.rpartition(".")[2]
        _REGISTRY[slug] = Rule(slug, severity, family, check, runtime, after_findings)
        return check

    return register


def all_rules() -> dict[str, Rule]:
    """Every registered rule by slug, in family order."""
    for family in FAMILIES:
        importlib.import_module(f"wagents.check.rules.{family}")
    # Family order, whatever order the modules happened to be imported in.
    return {
        slug: item
        for family in FAMILIES
        for slug, item in _REGISTRY.items()
        if item.family == family
    }

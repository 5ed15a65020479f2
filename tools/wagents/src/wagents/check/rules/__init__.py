"""The rule registry: every check `wagents validate` runs, with its slug, severity and docs.

A rule is a function decorated with `@rule`, in the module of its family. It receives a server's
facts (and, for the later stages, what the engine found before it) and yields `Problem`s; it never
opens files, imports fastmcp or starts processes (facts.py and the probe do that). Its docstring
is its documentation: the first line is the summary `wagents rules` prints, the rest is what
`wagents rules SLUG` shows and docs/rules.md holds.
"""

from __future__ import annotations

import enum
import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wagents.analysis.owasp import classification
from wagents.model import RuleInfo, SecurityInfo, Severity

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
    "live",
    "clients",
    "surface",
    "suppressions",
)


class Stage(enum.Enum):
    """When a rule runs, and so what it is given besides the server's facts."""

    #: `check(facts)` on the files alone (`facts.runtime` is None); runs while the probes run.
    STATIC = "static"
    #: `check(facts)` once the probe's `facts.runtime` is known.
    RUNTIME = "runtime"
    #: `check(facts, isolated)`: the `IsolatedFacts` of `--isolated` (None without it).
    ISOLATED = "isolated"
    #: `check(facts, live)`: the `LiveFacts` of `--live` (None without it, or not launched).
    LIVE = "live"
    #: `check(facts, unused_ignores)`: after suppressions, the ignore entries that matched nothing.
    SUPPRESSIONS = "suppressions"


@dataclass(frozen=True)
class Problem:
    """What a rule reports: a message and where (an absolute path and 1-based line)."""

    message: str
    path: Path | None = None
    line: int | None = None
    severity: Severity | None = None  # overrides the rule's default severity
    #: The tool the problem is about (its message then says `tool '<name>'`): see Finding.subject.
    subject: str | None = None


#: A rule's function: the facts (and the stage's input, see Stage) to problems.
Check = Callable[..., Iterable[Problem]]


@dataclass(frozen=True)
class Rule(RuleInfo):
    """One check: its RuleInfo plus the function that implements it and when it runs.

    `requires` names rules that must report no error on a server for this one to run there
    (what it would say is already said, or cannot be said, when they fail). A static rule with
    `fastmcp_models` reads what FastMCP's own models say (`facts.environment.fastmcp_config_*`),
    which the zygote answers once it has imported fastmcp: validation runs it after the other
    static rules of every server, so that the validator does not wait for that meanwhile.
    """

    check: Check
    stage: Stage = Stage.STATIC
    requires: tuple[str, ...] = ()
    fastmcp_models: bool = False

    @property
    def runtime(self) -> bool:
        """It needs what the probe showed (any stage after the static one)."""
        return self.stage is not Stage.STATIC

    @property
    def after_findings(self) -> bool:
        """It judges the other rules' findings (runs after suppressions)."""
        return self.stage is Stage.SUPPRESSIONS


_REGISTRY: dict[str, Rule] = {}


def rule(
    slug: str,
    severity: Severity,
    *,
    stage: Stage = Stage.STATIC,
    requires: Iterable[str] = (),
    fastmcp_models: bool = False,
) -> Callable[[Check], Check]:
    """Register a rule of the module's family, to run at `stage` (see `Rule`)."""

    def register(check: Check) -> Check:
        if slug in _REGISTRY:
            raise ValueError(f"duplicate rule slug {slug!r}")
        family = check.__module__.rpartition(".")[2]
        classified = classification(slug)
        _REGISTRY[slug] = Rule(
            slug=slug,
            severity=severity,
            family=family,
            docstring=check.__doc__ or "",
            check=check,
            stage=stage,
            requires=tuple(requires),
            fastmcp_models=fastmcp_models,
            security=SecurityInfo(
                tuple(classified.tags), classified.security_severity, classified.summary
            )
            if classified is not None
            else None,
        )
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


def run_check(item: Rule, facts: Any, stage_input: Any = None) -> list[Problem]:
    """Call a rule's function with what its stage gives it."""
    if item.stage in (Stage.ISOLATED, Stage.LIVE, Stage.SUPPRESSIONS):
        return list(item.check(facts, stage_input))
    return list(item.check(facts))

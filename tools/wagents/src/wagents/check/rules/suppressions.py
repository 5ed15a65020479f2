"""Rules about a server's own wagents settings: `[tool.wagents]` in its pyproject.toml."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from wagents.check.facts import ServerFacts
from wagents.check.rules import Problem, Stage, rule
from wagents.check.suppressions import Ignore, key_line
from wagents.model import Severity
from wagents.workspace.server import PYPROJECT

#: `[tool.wagents]` keys whose value another rule checks (the one that reads it).
OWNED_ELSEWHERE = frozenset({"ignore", "allowed-imports", "clients", "tool-budget"})


@rule("wagents-config", Severity.ERROR)
def wagents_config(facts: ServerFacts) -> Iterator[Problem]:
    """`[tool.wagents]` holds only known keys; each `ignore` entry names a rule and a reason.

    A server may silence a rule that does not apply to it, in its own pyproject.toml, with an
    entry `{rule = "SLUG", reason = "..."}` in `[tool.wagents].ignore`. The reason is required:
    the next reader must be able to tell a deliberate exception from a silenced bug. An entry with
    an unknown slug (a typo, or a rule that was renamed), without a reason, with keys other than
    `rule` and `reason`, or repeating a rule, is reported here and suppresses nothing.
    `wagents-config` and `unused-ignore` themselves cannot be ignored.

    The table's keys are those of its schema (`ignore`, `allowed-imports`, `probe-env`,
    `clients`, `tool-budget`; see `wagents.workspace.settings.ServerSettings`): any other key,
    such as the typo `allowed_imports`, is reported with the closest known key, since wagents
    would otherwise ignore it in silence. The values of `allowed-imports`, `clients` and
    `tool-budget` are checked by the rules that use them (`undeclared-import`, `client-compat`,
    `tool-budget`). A bad `keep-zygote` in the root pyproject (a number of seconds, at most a
    day) is reported here for every server.

    Bad::

        [tool.wagents]
        allowed_imports = ["httpx"]  # the key is allowed-imports
        ignore = [{ rule = "custom-route-auth" }, { rule = "tool-annotation", reason = "..." }]

    Good::

        [tool.wagents]
        allowed-imports = ["httpx"]
        ignore = [
            { rule = "custom-route-auth", reason = "/hook verifies the HMAC signature in check()" },
        ]
    """
    _, problems = facts.ignores
    for problem in problems:
        yield Problem(problem.message, facts.path / PYPROJECT, problem.line)
    loaded = facts.files.pyproject
    text = loaded.text if loaded is not None else None
    for unknown in facts.files.settings.problems:
        if unknown.key in OWNED_ELSEWHERE:
            continue  # a known key of the wrong type: the rule that reads it says so
        yield Problem(unknown.message, facts.path / PYPROJECT, key_line(text or "", unknown.key))
    for root_problem in facts.environment.root_settings.problems:
        if root_problem.key == "keep-zygote":
            yield Problem(root_problem.message, facts.workspace.root / PYPROJECT)


@rule("unused-ignore", Severity.WARNING, stage=Stage.SUPPRESSIONS)
def unused_ignore(facts: ServerFacts, unused: Sequence[Ignore]) -> Iterator[Problem]:
    """Every `[tool.wagents] ignore` entry still suppresses a finding.

    An ignore that matches nothing is left over from code that changed: it no longer documents
    anything, and it would silently hide the rule's next real finding. Remove it. Entries for
    rules that did not run (`--select`/`--ignore` on the command line) are not judged.

    Bad::

        # the server's tools all have annotations now
        [tool.wagents]
        ignore = [{ rule = "tool-annotations", reason = "legacy tools, to annotate" }]

    Good::

        # no ignore entry: the rule passes on its own
        [tool.wagents]
    """
    loaded = facts.files.pyproject
    for entry in unused:
        yield Problem(
            f"ignore of {entry.rule} matches no finding: remove it from [tool.wagents].ignore",
            loaded.path if loaded is not None else facts.path / "pyproject.toml",
            entry.line,
        )

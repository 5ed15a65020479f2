"""Rules about a server's own wagents settings: `[tool.wagents]` in its pyproject.toml."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from wagents.check.facts import ServerFacts
from wagents.check.rules import Problem, Stage, rule
from wagents.check.suppressions import Ignore
from wagents.model import Severity
from wagents.workspace.server import PYPROJECT


@rule("wagents-config", Severity.ERROR)
def wagents_config(facts: ServerFacts) -> Iterator[Problem]:
    """Every `[tool.wagents] ignore` entry names a known rule and gives a reason.

    A server may silence a rule that does not apply to it, in its own pyproject.toml, with an
    entry `{rule = "SLUG", reason = "..."}` in `[tool.wagents].ignore`. The reason is required:
    the next reader must be able to tell a deliberate exception from a silenced bug. An entry with
    an unknown slug (a typo, or a rule that was renamed), without a reason, with keys other than
    `rule` and `reason`, or repeating a rule, is reported here and suppresses nothing.
    `wagents-config` and `unused-ignore` themselves cannot be ignored.

    Bad::

        [tool.wagents]
        ignore = [{ rule = "custom-route-auth" }, { rule = "tool-annotation", reason = "..." }]

    Good::

        [tool.wagents]
        ignore = [
            { rule = "custom-route-auth", reason = "/hook verifies the HMAC signature in check()" },
        ]
    """
    _, problems = facts.ignores
    for problem in problems:
        yield Problem(problem.message, facts.path / PYPROJECT, problem.line)


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

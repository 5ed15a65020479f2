"""Rules about what a server declares it needs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from wagents.check.facts import ServerFacts
from wagents.check.rules import Problem, rule
from wagents.model import Severity
from wagents.workspace import requirements
from wagents.workspace.requirements import Requirement, same_requirement


@rule("dependency-parity", Severity.ERROR)
def dependency_parity(facts: ServerFacts) -> Iterator[Problem]:
    """pyproject.toml and fastmcp.json declare the same dependencies with the same specifiers.

    `uv` installs `[project].dependencies`; `fastmcp run fastmcp.json` and `fastmcp install` build
    their environment from `environment.dependencies`. When the two lists drift, the server works
    in one place and breaks in the other. Names are compared after PEP 503 normalization
    (`Foo_Bar` is `foo-bar`), and the version specifiers, extras and markers must match.
    `wagents validate --fix` copies pyproject's list into fastmcp.json.

    Bad::

        # pyproject.toml
        dependencies = ["fastmcp>=3,<4", "httpx>=0.28"]
        # fastmcp.json
        "environment": {"dependencies": ["fastmcp>=3,<4"]}

    Good::

        # pyproject.toml
        dependencies = ["fastmcp>=3,<4", "httpx>=0.28"]
        # fastmcp.json
        "environment": {"dependencies": ["fastmcp>=3,<4", "httpx>=0.28"]}
    """
    if facts.files.pyproject is None or not facts.files.pyproject.ok or facts.files.config is None:
        return
    pyproject_path = facts.path / "pyproject.toml"
    config_path = facts.path / "fastmcp.json"
    declared = facts.files.project.get("dependencies", [])
    environment = facts.files.config.get("environment")
    listed = environment.get("dependencies") if isinstance(environment, dict) else None
    if not isinstance(declared, list):
        yield Problem(
            "[project].dependencies must be a list of requirement strings", pyproject_path
        )
        return
    if not isinstance(listed, list):
        listed = []  # fastmcp-json reports a wrong type
    ours, our_problems = _parse(declared, pyproject_path)
    theirs, their_problems = _parse(listed, config_path)
    if our_problems or their_problems:
        # Comparing lists with unreadable entries would only add noise: fix those first.
        yield from our_problems + their_problems
        return
    for name, requirement in ours.items():
        other = theirs.get(name)
        if other is None:
            yield Problem(
                f"{requirement} is in pyproject.toml but missing from fastmcp.json "
                "environment.dependencies",
                config_path,
            )
        elif not same_requirement(requirement, other):
            yield Problem(
                f"pyproject.toml wants {requirement!s} but fastmcp.json wants {other!s}",
                config_path,
            )
    for name, requirement in theirs.items():
        if name not in ours:
            yield Problem(
                f"{requirement} is in fastmcp.json environment.dependencies but missing from "
                "pyproject.toml [project].dependencies",
                pyproject_path,
            )


def _parse(items: list[object], path: Path) -> tuple[dict[str, Requirement], list[Problem]]:
    parsed = requirements.parse(items)
    problems = [
        Problem(why if isinstance(item, str) else f"dependency {item!r} is not a string", path)
        for item, why in parsed.problems
    ]
    return parsed.by_name(), problems

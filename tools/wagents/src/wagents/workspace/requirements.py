"""Requirement strings (PEP 508) and distribution names (PEP 503): the one place that parses them.

pyproject.toml lists, fastmcp.json `environment.dependencies`, dependency groups and installed
distributions' metadata all hold requirement strings; hand-edited files also hold things that are
not. `parse` turns such a list into the requirements it holds and a problem for every other entry,
never raising.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import NormalizedName, canonicalize_name

__all__ = ["Parsed", "Requirement", "normalize", "parse", "parse_one", "same_requirement"]


def normalize(name: str) -> NormalizedName:
    """A distribution or project name in its PEP 503 form (`Foo_Bar` → `foo-bar`)."""
    return canonicalize_name(name)


@dataclass(frozen=True)
class Parsed:
    """The entries of a requirement list: those that parse, and why each other one does not."""

    requirements: tuple[Requirement, ...]
    #: `(entry, why)` for an entry that is not a string or not a valid requirement.
    problems: tuple[tuple[object, str], ...] = ()

    @property
    def names(self) -> frozenset[str]:
        return frozenset(normalize(requirement.name) for requirement in self.requirements)

    def by_name(self) -> dict[str, Requirement]:
        """The requirements by normalized name (the last one wins)."""
        return {normalize(requirement.name): requirement for requirement in self.requirements}


def parse_one(text: str) -> Requirement | str:
    """A requirement, or the reason `text` is not one."""
    try:
        return Requirement(text)
    except InvalidRequirement as exc:
        return str(exc)


def parse(items: object, *, include_groups: bool = False) -> Parsed:
    """The requirements of a TOML/JSON list (anything else holds none).

    `include_groups` accepts the `{include-group = "..."}` tables of dependency groups (PEP 735),
    which are neither requirements nor problems.
    """
    if not isinstance(items, list | tuple):
        return Parsed(())
    requirements: list[Requirement] = []
    problems: list[tuple[object, str]] = []
    for item in items:
        if include_groups and isinstance(item, dict) and set(item) == {"include-group"}:
            continue
        if not isinstance(item, str):
            problems.append((item, f"{item!r} is not a requirement string"))
            continue
        parsed = parse_one(item)
        if isinstance(parsed, str):
            problems.append((item, f"invalid requirement {item!r}: {parsed}"))
        else:
            requirements.append(parsed)
    return Parsed(tuple(requirements), tuple(problems))


def parse_texts(texts: Iterable[str]) -> tuple[Requirement, ...]:
    """The valid requirements among `texts` (installed metadata: the others are skipped)."""
    return parse(list(texts)).requirements


def same_requirement(left: Requirement, right: Requirement) -> bool:
    """Whether two requirements ask for the same thing (specifier order and spelling aside)."""
    return (
        normalize(left.name) == normalize(right.name)
        and left.specifier == right.specifier
        and {normalize(e) for e in left.extras} == {normalize(e) for e in right.extras}
        and str(left.marker or "") == str(right.marker or "")
        and (left.url or "") == (right.url or "")
    )

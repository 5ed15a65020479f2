"""Per-server suppressions: `[tool.wagents] ignore = [{rule = "...", reason = "..."}]`.

A server silences a rule in its own pyproject.toml, and must say why:

    [tool.wagents]
    ignore = [
        { rule = "custom-route-auth", reason = "/webhook checks the HMAC signature in verify()" },
    ]

`read_ignores` turns that table into valid `Ignore`s and the problems of the invalid entries (the
`wagents-config` rule reports those; an invalid entry suppresses nothing). validation.py applies
the valid ones after the rules ran; an entry that matched no finding is an `unused-ignore`.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

#: Rules about the suppressions themselves: ignoring them would hide a broken ignore list.
UNIGNORABLE = frozenset({"wagents-config", "unused-ignore"})


@dataclass(frozen=True)
class Ignore:
    """One valid suppression: a rule slug, the reason, and the line of the entry."""

    rule: str
    reason: str
    line: int | None = None


@dataclass(frozen=True)
class IgnoreProblem:
    """Why one entry of the ignore list is invalid, and its line."""

    message: str
    line: int | None = None


def read_ignores(
    pyproject: dict[str, Any] | None, text: str, known_rules: Collection[str]
) -> tuple[list[Ignore], list[IgnoreProblem]]:
    """The valid entries of `[tool.wagents].ignore` and the problems of the others."""
    tool = (pyproject or {}).get("tool")
    table = tool.get("wagents") if isinstance(tool, dict) else None
    if table is None:
        return [], []
    ignore_line = key_line(text, "ignore")
    if not isinstance(table, dict):
        return [], [IgnoreProblem("[tool.wagents] must be a table", key_line(text, "wagents"))]
    entries = table.get("ignore", [])
    if not isinstance(entries, list):
        return [], [IgnoreProblem("[tool.wagents].ignore must be an array of tables", ignore_line)]
    valid: list[Ignore] = []
    problems: list[IgnoreProblem] = []
    seen: set[str] = set()
    occurrences: dict[str, int] = {}
    for position, entry in enumerate(entries, 1):
        where = f"[tool.wagents].ignore entry {position}"
        if not isinstance(entry, dict):
            problems.append(IgnoreProblem(f"{where} must be a table {{rule, reason}}", ignore_line))
            continue
        slug = entry.get("rule")
        if isinstance(slug, str):
            occurrences[slug] = occurrences.get(slug, 0) + 1
            line = _entry_line(text, slug, occurrences[slug]) or ignore_line
        else:
            line = ignore_line
        problem = _entry_problem(entry, slug, known_rules, seen)
        if problem is not None:
            problems.append(IgnoreProblem(f"{where}: {problem}", line))
            continue
        assert isinstance(slug, str)
        seen.add(slug)
        valid.append(Ignore(slug, entry["reason"].strip(), line))
    return valid, problems


def _entry_problem(
    entry: dict[str, Any], slug: Any, known_rules: Collection[str], seen: set[str]
) -> str | None:
    unknown_keys = sorted(set(entry) - {"rule", "reason"})
    if unknown_keys:
        return f"unknown key {unknown_keys[0]!r} (an entry has only rule and reason)"
    if not isinstance(slug, str) or not slug:
        return 'needs rule = "SLUG" (see `wagents rules`)'
    if slug not in known_rules:
        return f"unknown rule {slug!r} (see `wagents rules`)"
    if slug in UNIGNORABLE:
        return f"{slug} cannot be ignored: fix the ignore list instead"
    reason = entry.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        return f'ignoring {slug} needs a reason = "..." saying why it does not apply'
    if slug in seen:
        return f"{slug} is ignored twice"
    return None


def key_line(text: str, key: str) -> int | None:
    """The line of `key =` or `[tool.wagents]`-style header inside the [tool.wagents] part."""
    lines = text.splitlines()
    start = next(
        (
            number
            for number, line in enumerate(lines)
            if re.match(r"\s*\[\[?\s*tool\.wagents\b", line)
        ),
        None,
    )
    if start is None:
        return None
    if key == "wagents":
        return start + 1
    pattern = re.compile(rf"\s*(?:{re.escape(key)}\s*=|\[\[\s*tool\.wagents\.{re.escape(key)})")
    for number in range(start, len(lines)):
        if pattern.match(lines[number]):
            return number + 1
    return start + 1


def _entry_line(text: str, slug: str, occurrence: int) -> int | None:
    """The line of the `occurrence`-th `rule = "slug"` in the file."""
    pattern = re.compile(rf"""\brule\s*=\s*(["']){re.escape(slug)}\1""")
    found = [number for number, line in enumerate(text.splitlines(), 1) if pattern.search(line)]
    return found[min(occurrence, len(found)) - 1] if found else None

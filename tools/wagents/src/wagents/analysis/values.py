"""The abstract values the taint analysis computes: what a Python expression may hold.

A `Value` says which families of harm caller text in it can still do (`families`; empty: clean),
which component parameters the text came from, the clean text it starts with (`lead`, for the
host of a URL), what kind of object it is (`pathlib.Path`, `sqlite3.Connection`), and a few facts
the sanitizing checks need (a resolved path, a literal collection, a parsed URL).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

#: Clean text of unknown content inside `Value.lead` (an environment variable, a clean call).
UNKNOWN = "\0"
_SCHEME = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*://")


@dataclass(frozen=True)
class Value:
    """What an expression may hold (see the module docstring)."""

    families: frozenset[str] = frozenset()
    sources: frozenset[str] = frozenset()
    #: Known text up to the first caller-controlled part; UNKNOWN marks clean unknown text.
    lead: str = UNKNOWN
    #: `lead` is the whole value (no caller text after it).
    whole: bool = True
    kind: str | None = None
    #: For sequences: the first item (the program of an argument list).
    head: Value | None = None
    #: An argument list that runs an interpreter on a script (`["sh", "-c", ...]`).
    script: bool = False
    #: A path that went through resolve()/realpath (containment checks are sound on it).
    resolved: bool = False
    #: A literal collection of constants (membership in it pins a value).
    collection: bool = False
    #: The strings of a literal collection of strings.
    items: tuple[str, ...] | None = None
    #: `urlparse(NAME)`: the variable whose URL this parses.
    parsed_from: str | None = None
    #: `urlparse(NAME).hostname`: the variable whose host this is.
    host_of: str | None = None

    @property
    def tainted(self) -> bool:
        return bool(self.families)


CLEAN = Value()


def constant(text: str) -> Value:
    return Value(lead=text)


def source(families: frozenset[str], name: str) -> Value:
    """A component parameter: caller text from its first character."""
    if not families:
        return CLEAN
    return Value(families=families, sources=frozenset({name}), lead="", whole=False)


def concat(left: Value, right: Value) -> Value:
    """`left + right` for strings (f-strings, `+`, formatting)."""
    if left.whole:
        lead, whole = left.lead + right.lead, right.whole
    else:
        lead, whole = left.lead, False
    return Value(
        families=left.families | right.families,
        sources=left.sources | right.sources,
        lead=lead,
        whole=whole,
    )


def derived(*values: Value, kind: str | None = None) -> Value:
    """A value computed from `values` by code wagents knows nothing about: it carries their
    caller text, of unknown shape."""
    families = frozenset().union(*(v.families for v in values))
    sources = frozenset().union(*(v.sources for v in values))
    if families or any(v.sources and not v.whole for v in values):
        return Value(families=families, sources=sources, lead="", whole=False, kind=kind)
    return Value(kind=kind)


def join(first: Value, second: Value) -> Value:
    """What either of two values may hold (after an if/else, a loop, `a or b`)."""
    if first == second:
        return first
    whole = first.whole and second.whole and first.lead == second.lead
    return Value(
        families=first.families | second.families,
        sources=first.sources | second.sources,
        lead=_common_prefix(first.lead, second.lead),
        whole=whole,
        kind=first.kind if first.kind == second.kind else None,
        head=(
            join(first.head, second.head)
            if first.head is not None and second.head is not None
            else None
        ),
        script=first.script or second.script,
        resolved=first.resolved and second.resolved,
        collection=first.collection and second.collection,
        items=first.items if first.items == second.items else None,
        parsed_from=first.parsed_from if first.parsed_from == second.parsed_from else None,
        host_of=first.host_of if first.host_of == second.host_of else None,
    )


def _common_prefix(first: str, second: str) -> str:
    for index, (one, other) in enumerate(zip(first, second, strict=False)):
        if one != other:
            return first[:index]
    return first if len(first) <= len(second) else second


def without(value: Value, families: frozenset[str]) -> Value:
    """`value` once a sanitizer or a check ended `families`."""
    remaining = value.families - families
    if remaining == value.families:
        return value
    if not remaining:
        return replace(
            value, families=frozenset(), sources=frozenset(), lead=UNKNOWN, whole=True, head=None
        )
    head = without(value.head, families) if value.head is not None else None
    return replace(value, families=remaining, head=head)


def host_fixed(lead: str) -> bool:
    """Whether a URL starting with `lead` has its scheme and host settled before caller text.

    `https://api.example.com/` + text: yes; `https://` + text or `https://api.example.com` +
    text (`@evil.example` changes the host): no; a path (`/users/` + text, for a client with a
    `base_url`): yes; clean unknown text followed by `/` (`{BASE}/users/`): yes.
    """
    scheme = _SCHEME.match(lead)
    if scheme is not None:
        rest = lead[scheme.end() :]
        return any(rest.find(mark) > 0 for mark in "/?#")
    if lead.startswith(UNKNOWN):
        return any(mark in lead[1:] for mark in "/?#")
    return lead.startswith("/") and not lead.startswith("//")

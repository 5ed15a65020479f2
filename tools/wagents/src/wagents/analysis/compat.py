"""Client profiles applied to a server's tools as a client received them: the violations.

`violations(profile, server_key, tools)` takes the tools of `tools/list` (the wire JSON, one dict
each) and returns every constraint of the profile they break, with the tool, the schema and the
JSON pointers concerned and a one-line message naming the client, the constraint and the fix.
The `tool-name` and `client-compat` rules and `wagents compat` all read these. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from wagents.analysis import schemas
from wagents.analysis.profiles import Constraint, Profile

#: How many JSON pointers a message shows before "and N more".
SHOWN_POINTERS = 3
#: What each effect makes the client do, in a message ("Cursor drops it").
EFFECT_VERBS = {
    "refuses": "refuses it",
    "drops": "drops it",
    "renames": "renames it",
    "degrades": "handles it worse",
}
#: The wire keys of the two schemas.
SCHEMA_KEYS: dict[str, tuple[str, ...]] = {
    "input": ("inputSchema",),
    "output": ("outputSchema",),
    "both": ("inputSchema", "outputSchema"),
}


@dataclass(frozen=True)
class Violation:
    """One constraint a tool (or the server, when `tool` is None) breaks for one client."""

    profile: Profile
    constraint: Constraint
    tool: str | None
    #: What was found, for the message: "has '.' and ' '", "inputSchema has $ref at ...".
    detail: str
    pointers: tuple[str, ...] = ()

    @property
    def blocking(self) -> bool:
        """The client refuses or drops the tool: it cannot be used as written."""
        return self.constraint.effect in ("refuses", "drops")

    @property
    def message(self) -> str:
        """One line: the tool, the client and what it does, the constraint, what, the fix."""
        observed = ", observed" if self.constraint.observed else ""
        verb = EFFECT_VERBS[self.constraint.effect]
        head = f"tool {self.tool!r}: " if self.tool is not None else ""
        return (
            f"{head}{self.profile.title} {verb} [{self.constraint.id}{observed}]: "
            f"{self.detail}; {self.constraint.fix}"
        )


def violations(
    profile: Profile, server_key: str, tools: Sequence[dict[str, Any]]
) -> list[Violation]:
    """Every constraint of `profile` that `tools` (wire JSON) break, tools in list order."""
    found: list[Violation] = []
    for constraint in profile.constraints:
        if constraint.check == "max-tools":
            found += _too_many_tools(profile, constraint, tools)
    for tool in tools:
        name = str(tool.get("name") or "")
        for constraint in profile.constraints:
            if constraint.is_name_check:
                detail = name_problem(constraint, server_key, name)
                if detail is not None:
                    found.append(Violation(profile, constraint, name, detail))
            elif constraint.check != "max-tools":
                found += _schema_violations(profile, constraint, name, tool)
    return found


def name_problem(constraint: Constraint, server_key: str, name: str) -> str | None:
    """What is wrong with a tool name for a name constraint, or None."""
    match constraint.check:
        case "name-charset":
            allowed = re.compile(f"[{constraint.allowed}]")
            bad = sorted({char for char in name if not allowed.fullmatch(char)})
            if bad:
                shown = ", ".join(repr(char) for char in bad)
                return f"its name has characters outside [{constraint.allowed}]: {shown}"
        case "name-start":
            if name and not re.fullmatch(f"[{constraint.allowed}]", name[0]):
                return f"its name starts with {name[0]!r}, not one of [{constraint.allowed}]"
        case "name-length":
            spelled = constraint.template.format(server=server_key, tool=name)
            limit = constraint.max or 0
            if len(spelled) > limit:
                what = (
                    "its name"
                    if spelled == name
                    else f"its name as the client spells it, {spelled!r},"
                )
                return f"{what} has {len(spelled)} characters, more than {limit}"
    return None


def _too_many_tools(
    profile: Profile, constraint: Constraint, tools: Sequence[dict[str, Any]]
) -> Iterator[Violation]:
    limit = constraint.max or 0
    if len(tools) > limit:
        detail = f"the server lists {len(tools)} tools, more than {limit}"
        yield Violation(profile, constraint, None, detail)


#: Each schema check: the function finding its pointers, and what it found (for the message).
_SCHEMA_FINDERS: dict[str, tuple[Callable[[Any], Iterable[str]], str]] = {
    "type-array": (schemas.type_arrays, "a list as `type`"),
    "union-without-type": (schemas.unions_without_type, "anyOf/oneOf without a `type`"),
    "array-without-items": (schemas.arrays_without_items, "an array without `items`"),
    "object-without-properties": (
        schemas.objects_without_properties,
        "an object without `properties`",
    ),
    "additional-properties-schema": (
        schemas.schema_valued_additional_properties,
        "`additionalProperties` as a schema",
    ),
    "closed-objects": (
        schemas.open_objects,
        'an object without `"additionalProperties": false`',
    ),
    "all-required": (schemas.optional_properties, "a property not in `required`"),
}


def _schema_violations(
    profile: Profile, constraint: Constraint, name: str, tool: dict[str, Any]
) -> Iterator[Violation]:
    for key in SCHEMA_KEYS[constraint.schemas]:
        schema = tool.get(key)
        if not isinstance(schema, dict):
            continue
        detail, pointers = _schema_problem(constraint, schema)
        if detail is not None:
            yield Violation(profile, constraint, name, f"{key} has {detail}", pointers)


def _schema_problem(
    constraint: Constraint, schema: dict[str, Any]
) -> tuple[str | None, tuple[str, ...]]:
    """(what the schema has, where) for one schema check; (None, ()) when it passes."""
    limit = constraint.max or 0
    match constraint.check:
        case "keywords":
            pointers = tuple(schemas.with_keywords(schema, constraint.keywords))
            used = sorted(
                {
                    pointer.rsplit("/", 1)[1].replace("~1", "/").replace("~0", "~")
                    for pointer in pointers
                }
            )
            what = "/".join(used)
            return (_at(what, pointers), pointers) if pointers else (None, ())
        case "max-depth":
            depth = schemas.max_depth(schema)
            if depth <= limit:
                return None, ()
            pointers = tuple(schemas.deeper_than(schema, limit))
            return _at(
                f"objects nested {depth} levels deep (more than {limit})", pointers
            ), pointers
        case "max-properties":
            count = schemas.property_count(schema)
            if count <= limit:
                return None, ()
            return f"{count} properties in all (more than {limit})", ()
    finder, what = _SCHEMA_FINDERS[constraint.check]
    pointers = tuple(finder(schema))
    return (_at(what, pointers), pointers) if pointers else (None, ())


def _at(what: str, pointers: Sequence[str]) -> str:
    if not pointers:
        return what
    shown = ", ".join(pointer or "/" for pointer in pointers[:SHOWN_POINTERS])
    more = f" and {len(pointers) - SHOWN_POINTERS} more" if len(pointers) > SHOWN_POINTERS else ""
    return f"{what} at {shown}{more}"

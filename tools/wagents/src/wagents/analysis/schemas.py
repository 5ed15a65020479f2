"""JSON schemas walked with JSON pointers: the shapes MCP clients accept or refuse.

A tool's `inputSchema` and `outputSchema` are plain JSON (as a client received them); `walk`
visits every subschema with its RFC 6901 pointer from the schema's root (`""` is the root,
`/properties/city`, `/$defs/Node/properties/children/items`) and its object nesting depth. The
questions client profiles ask (`wagents.analysis.profiles`) are functions of a schema to the
pointers where the answer is "here": a keyword in use, `type` given as a list, `anyOf` without a
`type`, an array without `items`, an object without `properties`, an object open to other keys,
a property left out of `required`. Pure: no I/O, nothing imported but the standard library.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

#: Keywords whose value is one subschema.
SCHEMA_KEYWORDS = (
    "additionalProperties",
    "items",
    "not",
    "contains",
    "if",
    "then",
    "else",
    "propertyNames",
    "unevaluatedItems",
    "unevaluatedProperties",
    "additionalItems",
)
#: Keywords whose value is a list of subschemas.
LIST_KEYWORDS = ("anyOf", "oneOf", "allOf", "prefixItems")
#: Keywords whose value maps names to subschemas.
MAP_KEYWORDS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
#: Keywords that hold definitions (their subschemas start a nesting count of their own).
DEFINITION_KEYWORDS = frozenset({"$defs", "definitions"})


@dataclass(frozen=True)
class Node:
    """One subschema: where it is (`pointer`), what it is, and how deep in objects it sits.

    `depth` counts the object schemas from the root (or from the definition it belongs to) down
    to this one, itself included: the root object of a tool's input schema has depth 1, an
    object property of it depth 2.
    """

    pointer: str
    schema: dict[str, Any]
    depth: int

    @property
    def is_root(self) -> bool:
        return self.pointer == ""


def escape(token: str) -> str:
    """A key as a JSON pointer token (`~` → `~0`, `/` → `~1`)."""
    return token.replace("~", "~0").replace("/", "~1")


def types(schema: dict[str, Any]) -> tuple[str, ...]:
    """The schema's `type` as a tuple (empty when it has none)."""
    value = schema.get("type")
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(item for item in value if isinstance(item, str))
    return ()


def walk(schema: Any, pointer: str = "", depth: int = 0) -> Iterator[Node]:
    """Every subschema of `schema` (itself first), depth first, in key order.

    Boolean schemas (`true`, `false`) and values that are not objects are skipped; a schema is
    never entered twice (JSON read from a server is a tree, but a Python caller may pass a
    graph).
    """
    yield from _walk(schema, pointer, depth, set())


def _walk(schema: Any, pointer: str, depth: int, seen: set[int]) -> Iterator[Node]:
    if not isinstance(schema, dict) or id(schema) in seen:
        return
    seen.add(id(schema))
    here = depth + 1 if "object" in types(schema) or "properties" in schema else depth
    yield Node(pointer, schema, here)
    for key in SCHEMA_KEYWORDS:
        value = schema.get(key)
        if isinstance(value, dict):
            yield from _walk(value, f"{pointer}/{key}", here, seen)
        elif key == "items" and isinstance(value, list):  # draft 4-7 tuple form
            for index, item in enumerate(value):
                yield from _walk(item, f"{pointer}/items/{index}", here, seen)
    for key in LIST_KEYWORDS:
        value = schema.get(key)
        if isinstance(value, list):
            for index, item in enumerate(value):
                yield from _walk(item, f"{pointer}/{key}/{index}", here, seen)
    for key in MAP_KEYWORDS:
        value = schema.get(key)
        if isinstance(value, dict):
            start = 0 if key in DEFINITION_KEYWORDS else here
            for name, item in value.items():
                yield from _walk(item, f"{pointer}/{key}/{escape(str(name))}", start, seen)


# --- the questions profiles ask: each yields the pointers where the answer is "here" -------------


def with_keywords(schema: Any, keywords: Iterable[str]) -> Iterator[str]:
    """Pointers to each use of one of `keywords` (`/properties/root/$ref`, `/$defs`)."""
    wanted = tuple(keywords)
    for node in walk(schema):
        for keyword in wanted:
            if keyword in node.schema:
                yield f"{node.pointer}/{escape(keyword)}"


def type_arrays(schema: Any) -> Iterator[str]:
    """Pointers to each `type` given as a list (`"type": ["string", "null"]`)."""
    for node in walk(schema):
        if isinstance(node.schema.get("type"), list):
            yield f"{node.pointer}/type"


def unions_without_type(schema: Any) -> Iterator[str]:
    """Pointers to each `anyOf`/`oneOf` whose schema has no `type` beside it (what pydantic
    makes of `Optional[X]` and `X | Y`)."""
    for node in walk(schema):
        if "type" in node.schema:
            continue
        for keyword in ("anyOf", "oneOf"):
            if isinstance(node.schema.get(keyword), list):
                yield f"{node.pointer}/{keyword}"


def arrays_without_items(schema: Any) -> Iterator[str]:
    """Pointers to each array schema without `items` (pydantic's fixed `tuple[X, Y]` has only
    `prefixItems`; a bare `list` has `"items": {}`, which counts as items)."""
    for node in walk(schema):
        if "array" in types(node.schema) and "items" not in node.schema:
            yield node.pointer


def objects_without_properties(schema: Any) -> Iterator[str]:
    """Pointers to each object schema below the root without `properties` (a bare `dict`)."""
    for node in walk(schema):
        if not node.is_root and "object" in types(node.schema) and "properties" not in node.schema:
            yield node.pointer


def schema_valued_additional_properties(schema: Any) -> Iterator[str]:
    """Pointers to each `additionalProperties` given as a schema (`dict[str, Model]`), not as
    a boolean."""
    for node in walk(schema):
        if isinstance(node.schema.get("additionalProperties"), dict):
            yield f"{node.pointer}/additionalProperties"


def open_objects(schema: Any) -> Iterator[str]:
    """Pointers to each object schema that does not say `"additionalProperties": false`."""
    for node in walk(schema):
        if "object" in types(node.schema) and node.schema.get("additionalProperties") is not False:
            yield node.pointer


def optional_properties(schema: Any) -> Iterator[str]:
    """Pointers to each property its object does not list in `required`."""
    for node in walk(schema):
        properties = node.schema.get("properties")
        if not isinstance(properties, dict):
            continue
        required = node.schema.get("required")
        listed = set(required) if isinstance(required, list) else set()
        for name in properties:
            if name not in listed:
                yield f"{node.pointer}/properties/{escape(str(name))}"


def max_depth(schema: Any) -> int:
    """The deepest object nesting of the schema (see `Node.depth`)."""
    return max((node.depth for node in walk(schema)), default=0)


def deeper_than(schema: Any, limit: int) -> Iterator[str]:
    """Pointers to the outermost object schemas nested deeper than `limit`."""
    reported: list[str] = []
    for node in walk(schema):
        deep = node.depth > limit and "object" in types(node.schema)
        if deep and not any(node.pointer.startswith(f"{outer}/") for outer in reported):
            reported.append(node.pointer)
            yield node.pointer


def property_count(schema: Any) -> int:
    """How many object properties the schema declares in all (definitions included)."""
    count = 0
    for node in walk(schema):
        properties = node.schema.get("properties")
        if isinstance(properties, dict):
            count += len(properties)
    return count

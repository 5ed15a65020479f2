"""Classify what changed between two surfaces of a server: breaking, compatible or review.

The surfaces are documents of `wagents.analysis.surface`. Components are matched by identity (a
tool's or prompt's name, a resource's URI, a template's URI template); a component that is gone
while another one appeared with the same content is reported once, as a rename. Every change is

- **breaking**: a tool, prompt, resource or template removed or renamed; a required parameter
  (or prompt argument) added; a parameter removed or renamed; an optional parameter made
  required; a type changed incompatibly (string → integer), an alternative of a union dropped,
  enum values removed, a constraint tightened (`maxLength` lowered, `pattern` added, `minimum`
  raised, `additionalProperties` closed); an output field removed, made optional or its type
  changed (a new type or union alternative); the output schema removed; a tool that becomes
  destructive or loses `readOnlyHint`; task support becoming required;
- **compatible**: a new tool, prompt, resource or template; a new optional parameter (or prompt
  argument); a required parameter made optional; a widened type (integer → number, a new union
  alternative, `null` allowed); enum values added; a constraint loosened or removed; in outputs,
  a new field, or a narrowing (fewer enum values, a tighter constraint); an output schema added;
- **review**: a description or title changed (how a "rug pull" looks: the tool a user approved
  now tells the model something else), a default changed, other annotation changes, other task
  support changes, a MIME type, `_meta`, icons, the server's instructions or capabilities, and
  anything the comparison cannot decide (a changed `pattern` or `format`, `allOf`, `not`, union
  alternatives it cannot pair, unknown keywords, output values widened within their type).

JSON schemas are walked: nested objects (`properties`, `required`, `additionalProperties`),
arrays (`items`), unions (`anyOf`, `oneOf`, `type` lists; alternatives are paired by type) and
references (`$ref` into `$defs` or `definitions`, followed on each side, recursive schemas
included). Inputs and outputs are judged from opposite sides: a server that accepts less breaks
its callers, a server that returns more breaks its readers. What cannot be decided is never
called compatible.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from wagents.analysis.schemas import escape
from wagents.analysis.surface import SECTIONS


class Kind(enum.StrEnum):
    """How a change affects the clients of a server."""

    BREAKING = "breaking"
    COMPATIBLE = "compatible"
    REVIEW = "review"


@dataclass(frozen=True)
class Change:
    """One change: its kind, the component (`tool:NAME`, `prompt:NAME`, `resource:URI`,
    `template:URI-TEMPLATE` or `server`), where in the component's snapshot entry (a JSON
    pointer, "" for the whole component) and what happened, in one sentence."""

    kind: Kind
    component: str
    path: str
    message: str


class Direction(enum.Enum):
    """Who produces the values a schema describes."""

    INPUT = "input"  # the client sends them (tool arguments): accepting less breaks callers
    OUTPUT = "output"  # the server sends them (structured output): returning more breaks readers


class Effect(enum.Enum):
    """What a schema change does to the set of values the schema admits."""

    NARROWS = "narrows"
    WIDENS_TYPE = "widens-type"  # values of another type (or alternative) become valid
    WIDENS = "widens"  # more values of the same type become valid
    CHANGES_TYPE = "changes-type"  # neither a subset nor a superset
    UNKNOWN = "unknown"


_KIND_OF_EFFECT = {
    Direction.INPUT: {
        Effect.NARROWS: Kind.BREAKING,
        Effect.WIDENS_TYPE: Kind.COMPATIBLE,
        Effect.WIDENS: Kind.COMPATIBLE,
        Effect.CHANGES_TYPE: Kind.BREAKING,
        Effect.UNKNOWN: Kind.REVIEW,
    },
    Direction.OUTPUT: {
        Effect.NARROWS: Kind.COMPATIBLE,
        Effect.WIDENS_TYPE: Kind.BREAKING,
        Effect.WIDENS: Kind.REVIEW,
        Effect.CHANGES_TYPE: Kind.BREAKING,
        Effect.UNKNOWN: Kind.REVIEW,
    },
}

#: Keywords that describe a schema without changing which values it admits.
ANNOTATIONS = (
    "title",
    "description",
    "default",
    "examples",
    "deprecated",
    "$comment",
    "readOnly",
    "writeOnly",
)
UPPER_BOUNDS = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties")
LOWER_BOUNDS = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties")
_UNIONS = ("anyOf", "oneOf")
#: Keywords `_SchemaDiff.single` judges; any other one that differs is for review.
_HANDLED = frozenset(
    {
        "type",
        "enum",
        "const",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "pattern",
        "format",
        "multipleOf",
        "uniqueItems",
        "$defs",
        "definitions",
        "$ref",
        *_UNIONS,
        *ANNOTATIONS,
        *UPPER_BOUNDS,
        *LOWER_BOUNDS,
    }
)
#: Nesting deeper than this is not walked (reported for review).
MAX_DEPTH = 64
#: How much of a changed text a message quotes.
EXCERPT_CHARS = 160
_CONTEXT_CHARS = 24


def compare_surfaces(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    """Every change from surface `old` to surface `new`, server first, then component by
    component in the order of `SECTIONS`."""
    changes = list(_server(_mapping(old.get("server")), _mapping(new.get("server"))))
    for key, label, identity in SECTIONS:
        changes += _section(_items(old.get(key)), _items(new.get(key)), label, identity)
    return changes


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _items(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _dump(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else _dump(value)
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1] + "…"


def text_change(old: str | None, new: str | None) -> str:
    """`"old" → "new"`, quoting only the part around what changed (so that a sentence appended to
    a long description is what the reader sees)."""
    if old is None:
        return f'added: "{_short(new)}"'
    if new is None:
        return f'removed (was "{_short(old)}")'
    if len(old) <= EXCERPT_CHARS and len(new) <= EXCERPT_CHARS:
        return f'"{old}" → "{new}"'
    start = 0
    while start < min(len(old), len(new)) and old[start] == new[start]:
        start += 1
    end = 0
    while end < min(len(old), len(new)) - start and old[-1 - end] == new[-1 - end]:
        end += 1

    def excerpt(text: str) -> str:
        head = max(0, start - _CONTEXT_CHARS)
        tail = len(text) - max(0, end - _CONTEXT_CHARS)
        if head > 0 and " " in text[head:start]:  # begin and end at word boundaries
            head = text.index(" ", head, start) + 1
        changed_end = len(text) - end
        if tail < len(text) and " " in text[changed_end:tail]:
            tail = text.rindex(" ", changed_end, tail)
        middle = text[head:tail]
        if len(middle) > EXCERPT_CHARS:
            middle = middle[: EXCERPT_CHARS - 1] + "…"
        return ("…" if head else "") + middle + ("…" if tail < len(text) else "")

    return f'"{excerpt(old)}" → "{excerpt(new)}"'


# --- components ------------------------------------------------------------------------------


def _section(
    old: list[dict[str, Any]], new: list[dict[str, Any]], label: str, identity: str
) -> Iterator[Change]:
    old_by_id = {str(item.get(identity, "")): item for item in old}
    new_by_id = {str(item.get(identity, "")): item for item in new}
    removed = [key for key in old_by_id if key not in new_by_id]
    added = [key for key in new_by_id if key not in old_by_id]
    renamed = _pair_renames(
        {key: _without_identity(old_by_id[key], identity) for key in removed},
        {key: _without_identity(new_by_id[key], identity) for key in added},
    )
    noun = {"tool": "call it", "prompt": "get it", "resource": "read it", "template": "read it"}
    for key in removed:
        component = f"{label}:{key}"
        if key in renamed:
            message = (
                f"renamed to `{renamed[key]}`: clients that {noun[label]} by its old name fail"
            )
        else:
            message = f"removed: clients that {noun[label]} fail"
        yield Change(Kind.BREAKING, component, "", message)
    for key in added:
        if key not in renamed.values():
            yield Change(Kind.COMPATIBLE, f"{label}:{key}", "", f"new {label}")
    compare = _COMPARE[label]
    for key, item in old_by_id.items():
        if key in new_by_id and item != new_by_id[key]:
            yield from compare(f"{label}:{key}", item, new_by_id[key])


def _without_identity(item: Mapping[str, Any], identity: str) -> dict[str, Any]:
    """What must stay the same for two components to count as one renamed: all but the
    identity and the names shown to people."""
    return {key: value for key, value in item.items() if key not in (identity, "name", "title")}


def _pair_renames(removed: Mapping[str, Any], added: Mapping[str, Any]) -> dict[str, str]:
    """Removed key → added key, for each removed entry exactly one added entry equals (and no
    other removed entry equals that one)."""
    pairs: dict[str, str] = {}
    for key, value in removed.items():
        matches = [other for other, candidate in added.items() if candidate == value]
        rivals = [other for other, candidate in removed.items() if candidate == value]
        if len(matches) == 1 and len(rivals) == 1:
            pairs[key] = matches[0]
    return pairs


def _text_fields(
    component: str, old: Mapping[str, Any], new: Mapping[str, Any], keys: Sequence[str]
) -> Iterator[Change]:
    for key in keys:
        before, after = old.get(key), new.get(key)
        if before != after:
            yield Change(
                Kind.REVIEW,
                component,
                f"/{key}",
                f"{key} changed: {text_change(_text(before), _text(after))}",
            )


def _text(value: Any) -> str | None:
    return None if value is None else value if isinstance(value, str) else _dump(value)


def _rest(
    component: str, old: Mapping[str, Any], new: Mapping[str, Any], done: Sequence[str]
) -> Iterator[Change]:
    """A review change for every other key that differs (`_meta`, icons, unknown fields)."""
    for key in sorted(set(old) | set(new)):
        if key not in done and old.get(key) != new.get(key):
            what = "added" if key not in old else "removed" if key not in new else "changed"
            yield Change(Kind.REVIEW, component, f"/{escape(key)}", f"`{key}` {what}")


def _tool(component: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> Iterator[Change]:
    yield from _text_fields(component, old, new, ("title", "description"))
    changes: list[Change] = []
    before_input = _mapping_or_bool(old.get("inputSchema"))
    after_input = _mapping_or_bool(new.get("inputSchema"))
    _SchemaDiff(component, Direction.INPUT, before_input, after_input, changes).run("/inputSchema")
    before, after = old.get("outputSchema"), new.get("outputSchema")
    if before is None and after is not None:
        changes.append(Change(Kind.COMPATIBLE, component, "/outputSchema", "output schema added"))
    elif before is not None and after is None:
        changes.append(
            Change(
                Kind.BREAKING,
                component,
                "/outputSchema",
                "output schema removed: structured output is no longer promised",
            )
        )
    elif before != after:
        _SchemaDiff(
            component, Direction.OUTPUT, _mapping_or_bool(before), _mapping_or_bool(after), changes
        ).run("/outputSchema")
    yield from changes
    yield from _annotations(
        component, _mapping(old.get("annotations")), _mapping(new.get("annotations"))
    )
    yield from _execution(component, _mapping(old.get("execution")), _mapping(new.get("execution")))
    done = ("name", "title", "description", "inputSchema", "outputSchema")
    yield from _rest(component, old, new, (*done, "annotations", "execution"))


def _mapping_or_bool(value: Any) -> Any:
    return value if isinstance(value, dict | bool) else {}


def _annotations(
    component: str, old: Mapping[str, Any], new: Mapping[str, Any]
) -> Iterator[Change]:
    """readOnlyHint lost and destructive gained are breaking (MCP's defaults apply to what is
    not set: readOnlyHint false, destructiveHint true); other annotation changes are for review."""
    if old == new:
        return
    covered: set[str] = set()
    if old.get("readOnlyHint") is True and new.get("readOnlyHint") is not True:
        covered.add("readOnlyHint")
        yield Change(
            Kind.BREAKING,
            component,
            "/annotations/readOnlyHint",
            "no longer read-only (readOnlyHint): clients that let it run unasked may now let it "
            "change things",
        )
    if not _destructive(old) and _destructive(new):
        covered |= {"destructiveHint", "readOnlyHint"}
        yield Change(
            Kind.BREAKING,
            component,
            "/annotations/destructiveHint",
            "now destructive (destructiveHint): it may delete or overwrite what it touches",
        )
    for key in sorted(set(old) | set(new)):
        if key not in covered and old.get(key) != new.get(key):
            yield Change(
                Kind.REVIEW,
                component,
                f"/annotations/{escape(key)}",
                f"annotation {key} changed from {_dump(old.get(key))} to {_dump(new.get(key))}",
            )


def _destructive(annotations: Mapping[str, Any]) -> bool:
    return (
        annotations.get("readOnlyHint") is not True
        and annotations.get("destructiveHint", True) is not False
    )


def _execution(component: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> Iterator[Change]:
    before = old.get("taskSupport", "forbidden")
    after = new.get("taskSupport", "forbidden")
    if after == "required" and before != "required":
        yield Change(
            Kind.BREAKING,
            component,
            "/execution/taskSupport",
            f"task support became required (was {before}): a plain call now fails",
        )
    elif before != after:
        yield Change(
            Kind.REVIEW,
            component,
            "/execution/taskSupport",
            f"task support changed from {_dump(before)} to {_dump(after)}",
        )
    yield from (
        Change(change.kind, component, "/execution" + change.path, change.message)
        for change in _rest(component, old, new, ("taskSupport",))
    )


def _prompt(component: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> Iterator[Change]:
    yield from _text_fields(component, old, new, ("title", "description"))
    before = {str(item.get("name")): item for item in _items(old.get("arguments"))}
    after = {str(item.get("name")): item for item in _items(new.get("arguments"))}
    removed = [name for name in before if name not in after]
    added = [name for name in after if name not in before]
    renamed = _pair_renames(
        {name: _without_identity(before[name], "name") for name in removed},
        {name: _without_identity(after[name], "name") for name in added},
    )
    for name in removed:
        path = f"/arguments/{escape(name)}"
        what = f"renamed to `{renamed[name]}`" if name in renamed else "removed"
        yield Change(Kind.BREAKING, component, path, f"argument `{name}` {what}")
    for name in added:
        if name in renamed.values():
            continue
        path = f"/arguments/{escape(name)}"
        if after[name].get("required") is True:
            yield Change(Kind.BREAKING, component, path, f"required argument `{name}` added")
        else:
            yield Change(Kind.COMPATIBLE, component, path, f"optional argument `{name}` added")
    for name, argument in before.items():
        if name not in after:
            continue
        path = f"/arguments/{escape(name)}"
        was, now = argument.get("required") is True, after[name].get("required") is True
        if now and not was:
            yield Change(Kind.BREAKING, component, path, f"argument `{name}` is now required")
        elif was and not now:
            yield Change(Kind.COMPATIBLE, component, path, f"argument `{name}` is now optional")
        own = ("name", "required", "title", "description")
        for change in [
            *_text_fields(component, argument, after[name], ("title", "description")),
            *_rest(component, argument, after[name], own),
        ]:
            message = f"argument `{name}`: {change.message}"
            yield Change(change.kind, component, path + change.path, message)
    yield from _rest(component, old, new, ("name", "title", "description", "arguments"))


def _resource(component: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> Iterator[Change]:
    yield from _text_fields(component, old, new, ("name", "title", "description"))
    if old.get("mimeType") != new.get("mimeType"):
        yield Change(
            Kind.REVIEW,
            component,
            "/mimeType",
            f"MIME type changed from {_dump(old.get('mimeType'))} to {_dump(new.get('mimeType'))}",
        )
    before, after = _mapping(old.get("annotations")), _mapping(new.get("annotations"))
    for key in sorted(set(before) | set(after)):
        if before.get(key) != after.get(key):
            yield Change(
                Kind.REVIEW,
                component,
                f"/annotations/{escape(key)}",
                f"annotation {key} changed from {_dump(before.get(key))} to "
                f"{_dump(after.get(key))}",
            )
    done = ("uri", "uriTemplate", "name", "title", "description", "mimeType", "annotations")
    yield from _rest(component, old, new, done)


_COMPARE = {"tool": _tool, "prompt": _prompt, "resource": _resource, "template": _resource}


def _server(old: Mapping[str, Any], new: Mapping[str, Any]) -> Iterator[Change]:
    """The server's name, instructions and capabilities (all for review); its version is the
    version policy's business, not a change."""
    yield from _text_fields("server", old, new, ("name", "instructions"))
    before = dict(_flatten(_mapping(old.get("capabilities"))))
    after = dict(_flatten(_mapping(new.get("capabilities"))))
    for key in sorted(set(before) | set(after)):
        if before.get(key) != after.get(key):
            what = "added" if key not in before else "removed" if key not in after else "changed"
            yield Change(
                Kind.REVIEW, "server", "/capabilities/" + key, f"capability `{key}` {what}"
            )
    yield from _rest("server", old, new, ("name", "instructions", "capabilities", "version"))


def _flatten(value: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Leaves of a capabilities object as `a/b/c` pointers (an empty object is a leaf)."""
    for key, item in value.items():
        pointer = prefix + escape(str(key))
        if isinstance(item, dict) and item:
            yield from _flatten(item, pointer + "/")
        else:
            yield pointer, item


# --- JSON schemas ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Where:
    """A place in a schema: its JSON pointer and how a message names it."""

    path: str
    names: tuple[str, ...] = ()

    def property(self, name: str) -> _Where:
        return _Where(f"{self.path}/properties/{escape(name)}", (*self.names, name))

    def items(self) -> _Where:
        last = self.names[-1] + "[]" if self.names else "[]"
        return _Where(f"{self.path}/items", (*self.names[:-1], last))

    def extra(self) -> _Where:
        return _Where(f"{self.path}/additionalProperties", (*self.names, "*"))

    def at(self, keyword: str) -> _Where:
        """The keyword `keyword` of this schema (messages still name the schema)."""
        return _Where(f"{self.path}/{escape(keyword)}", self.names)

    def branch(self, keyword: str, index: int) -> _Where:
        return _Where(f"{self.path}/{keyword}/{index}", self.names)


@dataclass
class _SchemaDiff:
    """The changes between two JSON schemas of one component, from one direction's side."""

    component: str
    direction: Direction
    old_root: Any
    new_root: Any
    out: list[Change]
    #: Pairs of reference chains being compared (a recursive schema stops there).
    active: set[tuple[tuple[str, ...], tuple[str, ...]]] = field(default_factory=set)

    def run(self, path: str) -> None:
        self.compare(self.old_root, self.new_root, _Where(path), 0)

    # -- reporting

    def subject(self, where: _Where) -> str:
        if not where.names:
            return "the arguments" if self.direction is Direction.INPUT else "the output"
        noun = "parameter" if self.direction is Direction.INPUT else "output field"
        return f"{noun} `{'.'.join(where.names)}`"

    def emit(self, kind: Kind, where: _Where, text: str) -> None:
        self.out.append(Change(kind, self.component, where.path, f"{self.subject(where)}: {text}"))

    def effect(self, effect: Effect, where: _Where, text: str) -> None:
        self.emit(_KIND_OF_EFFECT[self.direction][effect], where, text)

    # -- references

    def resolve(self, schema: Any, root: Any) -> tuple[Any, tuple[str, ...]]:
        """`schema` with its `$ref` chain followed (siblings of `$ref` kept), and the chain."""
        refs: list[str] = []
        while isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
            ref = schema["$ref"]
            target = _pointer(root, ref)
            if target is None or ref in refs:  # unresolvable or a loop of bare references
                break
            refs.append(ref)
            siblings = {key: value for key, value in schema.items() if key != "$ref"}
            schema = {**target, **siblings} if isinstance(target, dict) else target
        return schema, tuple(refs)

    def has_unresolved_refs(self, value: Any) -> bool:
        if isinstance(value, dict):
            return "$ref" in value or any(self.has_unresolved_refs(item) for item in value.values())
        if isinstance(value, list):
            return any(self.has_unresolved_refs(item) for item in value)
        return False

    # -- comparison

    def compare(self, old: Any, new: Any, where: _Where, depth: int) -> None:
        if depth > MAX_DEPTH:
            self.emit(Kind.REVIEW, where, "nested too deeply to compare")
            return
        old, old_refs = self.resolve(old, self.old_root)
        new, new_refs = self.resolve(new, self.new_root)
        if old == new and not self.has_unresolved_refs(old):
            return
        key = (old_refs, new_refs)
        if (old_refs or new_refs) and key in self.active:
            return  # a recursive schema: this pair is being compared further up
        self.active.add(key)
        try:
            self.compare_resolved(_schema(old), _schema(new), where, depth)
        finally:
            self.active.discard(key)

    def compare_resolved(
        self, old: dict[str, Any], new: dict[str, Any], where: _Where, depth: int
    ) -> None:
        for keyword in ANNOTATIONS:
            before, after = old.get(keyword), new.get(keyword)
            if before == after and (keyword in old) == (keyword in new):
                continue
            if keyword in ("title", "description"):
                text = f"{keyword} changed: {text_change(_text(before), _text(after))}"
            elif keyword not in old:
                text = f"{keyword} {_short(after)} added"
            elif keyword not in new:
                text = f"{keyword} {_short(before)} removed"
            elif keyword == "default":
                text = f"default changed from {_short(before)} to {_short(after)}"
            else:
                text = f"`{keyword}` changed from {_short(before)} to {_short(after)}"
            self.emit(Kind.REVIEW, where.at(keyword), text)
        old_keyword = next((k for k in _UNIONS if isinstance(old.get(k), list)), None)
        new_keyword = next((k for k in _UNIONS if isinstance(new.get(k), list)), None)
        old_branches = self.branches(old, self.old_root, depth)
        new_branches = self.branches(new, self.new_root, depth)
        if len(old_branches) == 1 and len(new_branches) == 1:
            (old_branch,), (new_branch,) = old_branches, new_branches
            if _has_union(old_branch) or _has_union(new_branch):
                # anyOf next to oneOf: nothing to pair, compared as written
                self.single(old_branch, new_branch, where, depth)
            elif old_keyword or new_keyword:  # a union of one: its item may be a reference
                self.compare(old_branch, new_branch, where, depth + 1)
            else:
                self.single(old_branch, new_branch, where, depth)
            return
        if old_keyword and new_keyword and old_keyword != new_keyword:
            self.emit(Kind.REVIEW, where, f"{old_keyword} became {new_keyword}")
        self.unions(old_branches, new_branches, where, new_keyword, depth)

    def branches(self, schema: dict[str, Any], root: Any, depth: int) -> list[Any]:
        """The alternatives a schema admits values of: the items of `anyOf`/`oneOf` (nested
        ones flattened, sibling keywords merged in), one per entry of a `type` list, or the
        schema itself; annotations left out (they are compared once, on the whole)."""
        base = {key: value for key, value in schema.items() if key not in ANNOTATIONS}
        keyword = next((k for k in _UNIONS if isinstance(base.get(k), list)), None)
        if keyword is not None and not (keyword == "anyOf" and "oneOf" in base):
            siblings = {key: value for key, value in base.items() if key != keyword}
            found: list[Any] = []
            for item in base[keyword]:
                merged = {**siblings, **item} if isinstance(item, dict) and siblings else item
                peek, _refs = self.resolve(merged, root)
                peek = _schema(peek)
                nested = any(isinstance(peek.get(k), list) for k in _UNIONS)
                if nested and depth < MAX_DEPTH:
                    found += self.branches(peek, root, depth + 1)
                else:
                    found.append(merged)
            return found or [siblings]
        types = base.get("type")
        if isinstance(types, list) and types and all(isinstance(t, str) for t in types):
            return [{**base, "type": item} for item in types]
        return [base]

    def type_key(self, schema: Any, root: Any) -> str:
        peek = _schema(self.resolve(schema, root)[0])
        declared = peek.get("type")
        if isinstance(declared, str):
            return declared
        values = _values(peek)
        if values is not None:
            kinds = {_json_type(value) for value in values}
            return kinds.pop() if len(kinds) == 1 else "enum"
        if not any(key not in ANNOTATIONS for key in peek):
            return "any"
        if "properties" in peek or "additionalProperties" in peek:
            return "object"
        if "items" in peek:
            return "array"
        return "unknown"

    def unions(
        self,
        old: list[Any],
        new: list[Any],
        where: _Where,
        new_keyword: str | None,
        depth: int,
    ) -> None:
        """Alternatives paired exactly, then by type; the unpaired ones were dropped or added."""
        used: set[int] = set()
        pairs: list[tuple[Any, int]] = []
        unpaired: list[Any] = []
        for branch in old:
            match = next(
                (j for j, other in enumerate(new) if j not in used and other == branch), None
            )
            if match is None:
                unpaired.append(branch)
            else:
                used.add(match)
                pairs.append((branch, match))
        new_keys = [self.type_key(branch, self.new_root) for branch in new]
        lost: list[str] = []
        old_keys = [self.type_key(branch, self.old_root) for branch in unpaired]
        ambiguous: set[str] = set()
        for branch, key in zip(unpaired, old_keys, strict=True):
            if key in ambiguous:
                continue
            candidates = [j for j in range(len(new)) if j not in used and new_keys[j] == key]
            several = len(candidates) > 1 or (candidates and old_keys.count(key) > 1)
            if several or key in ("unknown", "enum"):
                ambiguous.add(key)
                used |= set(candidates)
                self.emit(
                    Kind.REVIEW, where, f"its {key} alternatives changed and cannot be paired"
                )
                continue
            if not candidates:
                candidates = [
                    j
                    for j in range(len(new))
                    if j not in used
                    and (new_keys[j] == "any" or (key == "integer" and new_keys[j] == "number"))
                ]
            if candidates:
                used.add(candidates[0])
                pairs.append((branch, candidates[0]))
            else:
                lost.append(key)
        for key in lost:
            self.effect(Effect.NARROWS, where, f"no longer allows {_type_name(key)}")
        for j, key in enumerate(new_keys):
            if j not in used:
                self.effect(Effect.WIDENS_TYPE, where, f"now also allows {_type_name(key)}")
        for branch, j in pairs:
            inner = where.branch(new_keyword, j) if new_keyword else where
            self.compare(branch, new[j], inner, depth + 1)

    def single(self, old: Any, new: Any, where: _Where, depth: int) -> None:
        """Two schemas without alternatives: type, values, constraints, then structure."""
        old, new = _schema(old), _schema(new)
        if not self.types(old, new, where):
            return
        self.values(old, new, where)
        for keyword in UPPER_BOUNDS:
            self.bound(keyword, old.get(keyword), new.get(keyword), where, upper=True)
        for keyword in LOWER_BOUNDS:
            self.bound(keyword, old.get(keyword), new.get(keyword), where, upper=False)
        self.keywords(old, new, where)
        self.properties(old, new, where, depth)
        self.items(old, new, where, depth)
        for keyword in sorted(set(old) | set(new)):
            # unions and references left here could not be split or resolved
            unhandled = keyword not in _HANDLED or keyword in (*_UNIONS, "$ref")
            if unhandled and old.get(keyword) != new.get(keyword):
                self.effect(Effect.UNKNOWN, where.at(keyword), f"`{keyword}` changed")

    def types(self, old: dict[str, Any], new: dict[str, Any], where: _Where) -> bool:
        """Report a type change; False when the schemas are of unrelated types (nothing more to
        compare)."""
        before, after = old.get("type"), new.get("type")
        if before == after:
            return True
        where = where.at("type")
        if isinstance(before, str) and isinstance(after, str):
            if (before, after) == ("integer", "number"):
                self.effect(Effect.WIDENS_TYPE, where, "type widened from integer to number")
                return True
            if (before, after) == ("number", "integer"):
                self.effect(Effect.NARROWS, where, "type narrowed from number to integer")
                return True
            self.effect(Effect.CHANGES_TYPE, where, f"type changed from {before} to {after}")
            return False
        if _values(old) is not None or _values(new) is not None:
            return True  # enum or const decide which values are valid
        if before is None and isinstance(after, str):
            self.effect(Effect.NARROWS, where, f"now must be {_type_name(after)}")
        elif after is None and isinstance(before, str):
            self.effect(Effect.WIDENS_TYPE, where, f"no longer restricted to {_type_name(before)}")
        else:
            text = f"type changed from {_dump(before)} to {_dump(after)}"
            self.effect(Effect.UNKNOWN, where, text)
        return True

    def values(self, old: dict[str, Any], new: dict[str, Any], where: _Where) -> None:
        before, after = _values(old), _values(new)
        if before is None and after is None:
            return
        where = where.at("enum" if "enum" in new or "enum" in old else "const")
        if before is None:
            assert after is not None
            self.effect(Effect.NARROWS, where, f"now restricted to {_listing(after)}")
            return
        if after is None:
            self.effect(Effect.WIDENS, where, f"no longer restricted to {_listing(before)}")
            return
        old_keys, new_keys = {_dump(v) for v in before}, {_dump(v) for v in after}
        removed = [value for value in before if _dump(value) not in new_keys]
        added = [value for value in after if _dump(value) not in old_keys]
        if removed:
            self.effect(Effect.NARROWS, where, f"values removed: {_listing(removed)}")
        if added:
            self.effect(Effect.WIDENS, where, f"values added: {_listing(added)}")

    def bound(self, keyword: str, before: Any, after: Any, where: _Where, *, upper: bool) -> None:
        if before == after:
            return
        where = where.at(keyword)
        if not all(value is None or _number(value) for value in (before, after)):
            text = f"{keyword} changed from {_dump(before)} to {_dump(after)}"
            self.effect(Effect.UNKNOWN, where, text)
        elif before is None:
            self.effect(Effect.NARROWS, where, f"{keyword} {_dump(after)} added")
        elif after is None:
            self.effect(Effect.WIDENS, where, f"{keyword} {_dump(before)} removed")
        elif (after < before) == upper:
            verb = "lowered" if upper else "raised"
            self.effect(Effect.NARROWS, where, f"{keyword} {verb} from {before} to {after}")
        else:
            verb = "raised" if upper else "lowered"
            self.effect(Effect.WIDENS, where, f"{keyword} {verb} from {before} to {after}")

    def keywords(self, old: dict[str, Any], new: dict[str, Any], where: _Where) -> None:
        """pattern, format, multipleOf and uniqueItems."""
        added_effects = (
            ("pattern", Effect.NARROWS),
            ("format", Effect.UNKNOWN),
            ("multipleOf", Effect.NARROWS),
        )
        for keyword, added in added_effects:
            before, after = old.get(keyword), new.get(keyword)
            if before == after:
                continue
            at = where.at(keyword)
            if before is None:
                self.effect(added, at, f"{keyword} {_dump(after)} added")
            elif after is None:
                self.effect(Effect.WIDENS, at, f"{keyword} {_dump(before)} removed")
            else:
                text = f"{keyword} changed from {_dump(before)} to {_dump(after)}"
                self.effect(Effect.UNKNOWN, at, text)
        before, after = old.get("uniqueItems") is True, new.get("uniqueItems") is True
        if after and not before:
            self.effect(Effect.NARROWS, where.at("uniqueItems"), "items must now be unique")
        elif before and not after:
            self.effect(Effect.WIDENS, where.at("uniqueItems"), "items need no longer be unique")

    def properties(
        self, old: dict[str, Any], new: dict[str, Any], where: _Where, depth: int
    ) -> None:
        before, after = old.get("properties", {}), new.get("properties", {})
        if not isinstance(before, dict) or not isinstance(after, dict):
            if before != after:
                self.effect(Effect.UNKNOWN, where, "`properties` changed")
            return
        old_required = _names(old.get("required"))
        new_required = _names(new.get("required"))
        removed = [name for name in before if name not in after]
        added = [name for name in after if name not in before]
        renamed = _pair_renames(
            {name: (before[name], name in old_required) for name in removed},
            {name: (after[name], name in new_required) for name in added},
        )
        for name in removed:
            what = f"renamed to `{renamed[name]}`" if name in renamed else "removed"
            self.emit(Kind.BREAKING, where.property(name), what)
        for name in added:
            if name in renamed.values():
                continue
            if self.direction is Direction.OUTPUT:
                self.emit(Kind.COMPATIBLE, where.property(name), "added")
            elif name in new_required:
                self.emit(Kind.BREAKING, where.property(name), "added, required")
            else:
                self.emit(Kind.COMPATIBLE, where.property(name), "added, optional")
        for name, schema in before.items():
            if name not in after:
                continue
            inner = where.property(name)
            was, now = name in old_required, name in new_required
            if self.direction is Direction.INPUT and now and not was:
                self.emit(Kind.BREAKING, inner, "now required")
            elif self.direction is Direction.INPUT and was and not now:
                self.emit(Kind.COMPATIBLE, inner, "now optional")
            elif self.direction is Direction.OUTPUT and was and not now:
                self.emit(Kind.BREAKING, inner, "no longer required: it may be missing")
            elif self.direction is Direction.OUTPUT and now and not was:
                self.emit(Kind.COMPATIBLE, inner, "now required: always present")
            self.compare(schema, after[name], inner, depth + 1)
        stray = (old_required ^ new_required) - set(before) - set(after)
        if stray:
            self.effect(Effect.UNKNOWN, where, f"required changed for {_listing(sorted(stray))}")
        self.additional(old, new, where, depth)

    def additional(
        self, old: dict[str, Any], new: dict[str, Any], where: _Where, depth: int
    ) -> None:
        before = _open(old.get("additionalProperties", True))
        after = _open(new.get("additionalProperties", True))
        if before == after and not self.has_unresolved_refs(before):
            return
        at = where.at("additionalProperties")
        if isinstance(before, dict) and isinstance(after, dict):
            self.compare(before, after, where.extra(), depth + 1)
        elif after is False:
            self.effect(Effect.NARROWS, at, "no longer allows other properties")
        elif before is False:
            self.effect(Effect.WIDENS, at, "now allows other properties")
        elif before is True and isinstance(after, dict):
            self.effect(Effect.NARROWS, at, "other properties are now constrained")
        elif isinstance(before, dict) and after is True:
            self.effect(Effect.WIDENS, at, "other properties are no longer constrained")
        else:
            self.effect(Effect.UNKNOWN, at, "`additionalProperties` changed")

    def items(self, old: dict[str, Any], new: dict[str, Any], where: _Where, depth: int) -> None:
        before, after = old.get("items"), new.get("items")
        if before == after and not self.has_unresolved_refs(before):
            return
        if isinstance(before, dict | bool) and isinstance(after, dict | bool):
            self.compare(before, after, where.items(), depth + 1)
        elif before is None and isinstance(after, dict | bool):
            self.effect(Effect.NARROWS, where.items(), "items are now constrained")
        elif after is None and isinstance(before, dict | bool):
            self.effect(Effect.WIDENS, where.items(), "items are no longer constrained")
        elif before != after:
            self.effect(Effect.UNKNOWN, where.items(), "`items` changed")


def _schema(value: Any) -> dict[str, Any]:
    """A schema as a dict: `true` admits everything (`{}`), `false` nothing (`{"not": {}}`)."""
    if value is True:
        return {}
    if value is False:
        return {"not": {}}
    return value if isinstance(value, dict) else {}


def _has_union(schema: Any) -> bool:
    return isinstance(schema, dict) and any(isinstance(schema.get(k), list) for k in _UNIONS)


def _open(value: Any) -> Any:
    return True if value == {} else value


def _pointer(root: Any, ref: str) -> Any:
    """The target of a local `$ref` (`#/$defs/Name`) in `root`, None when it has none."""
    if not ref.startswith("#"):
        return None
    target = root
    for raw in ref[1:].split("/")[1:]:
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(target, dict) and part in target:
            target = target[part]
        elif isinstance(target, list) and part.isdigit() and int(part) < len(target):
            target = target[int(part)]
        else:
            return None
    return target


def _values(schema: Mapping[str, Any]) -> list[Any] | None:
    """The values `enum` or `const` allow, None when neither is there."""
    if isinstance(schema.get("enum"), list):
        return list(schema["enum"])
    if "const" in schema:
        return [schema["const"]]
    return None


def _names(value: Any) -> set[str]:
    return {item for item in value if isinstance(item, str)} if isinstance(value, list) else set()


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _type_name(key: str) -> str:
    return {"any": "any value", "null": "null"}.get(key, f"type {key}")


def _listing(values: Sequence[Any]) -> str:
    shown = ", ".join(_dump(value) for value in values[:10])
    return shown + (f" and {len(values) - 10} more" if len(values) > 10 else "")

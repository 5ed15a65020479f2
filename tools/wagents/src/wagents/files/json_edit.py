"""Format-preserving edits of JSON text (fastmcp.json): replace one value, keep every other byte.

The text is scanned with the standard library's own JSON scanner to find where a value starts
and ends; only that span is rewritten, in the layout the old value used (one line, or one item
per line with the old indentation).
"""

from __future__ import annotations

import json
import re
from json.decoder import scanstring  # type: ignore[attr-defined]  # public, untyped
from typing import Any

from wagents.model import UsageError

_DECODER = json.JSONDecoder()
_WHITESPACE = re.compile(r"[ \t\n\r]*")


def set_value(text: str, path: list[str], value: Any) -> str:
    """`text` with the member at `path` (object keys from the top) set to `value`.

    A missing member is added as the first member of its parent object; missing parent objects
    are created the same way.
    """
    start, end, replacement = value_edit(text, path, value)
    return text[:start] + replacement + text[end:]


def value_edit(text: str, path: list[str], value: Any) -> tuple[int, int, str]:
    """The edit `set_value` makes, as `(start, end, replacement)`: text[start:end] is replaced.

    Only that span changes, so a caller that scanned a same-length stand-in of the text (JSONC
    with its comments blanked out, see jsonc.py) can apply the edit to the original.
    """
    for depth in range(len(path), 0, -1):
        span = _member_span(text, path[:depth])
        if span is None:
            continue
        start, end = span
        if depth == len(path):
            return start, end, _render(value, text, start, end)
        if text[start] != "{":
            raise UsageError(f"{'.'.join(path[:depth])} is not a JSON object")
        nested: Any = value
        for key in reversed(path[depth + 1 :]):
            nested = {key: nested}
        return _insert_member(text, start, end, path[depth], nested)
    start = _skip(text, 0)
    if not text[start:].startswith("{"):
        raise UsageError("the file does not hold a JSON object")
    end = _DECODER.raw_decode(text, start)[1]
    nested = value
    for key in reversed(path[1:]):
        nested = {key: nested}
    return _insert_member(text, start, end, path[0], nested)


def _skip(text: str, index: int) -> int:
    found = _WHITESPACE.match(text, index)
    assert found is not None  # the pattern matches the empty string: match() always finds it
    return found.end()


def _member_span(text: str, path: list[str]) -> tuple[int, int] | None:
    """Start and end offsets of the value at `path`, or None when a key is missing."""
    index = _skip(text, 0)
    for key in path:
        if index >= len(text) or text[index] != "{":
            return None
        found = _find_key(text, index, key)
        if found is None:
            return None
        index = found
    end = _DECODER.raw_decode(text, index)[1]
    return index, end


def _find_key(text: str, index: int, key: str) -> int | None:
    """In the object starting at `index`, the offset of the value of `key` (its last one)."""
    index = _skip(text, index + 1)
    found = None
    while index < len(text) and text[index] != "}":
        name, index = scanstring(text, index + 1)
        index = _skip(text, index)
        index = _skip(text, index + 1)  # past ':'
        if name == key:
            found = index
        index = _skip(text, _DECODER.raw_decode(text, index)[1])
        if text[index] == ",":
            index = _skip(text, index + 1)
    return found


def _line_indent(text: str, index: int) -> str:
    line_start = text.rfind("\n", 0, index) + 1
    line = text[line_start:index]
    return line[: len(line) - len(line.lstrip(" \t"))]


def _render(value: Any, text: str, start: int, end: int) -> str:
    """`value` as JSON laid out like the old value at text[start:end]."""
    old = text[start:end]
    if "\n" not in old or not isinstance(value, list) or not value:
        return json.dumps(value, ensure_ascii=False)
    first_item = _skip(text, start + 1)
    item_indent = _line_indent(text, first_item) if text[first_item] != "]" else None
    closing_indent = _line_indent(text, end - 1)
    if item_indent is None:
        item_indent = closing_indent + "  "
    items = ",\n".join(item_indent + json.dumps(item, ensure_ascii=False) for item in value)
    return "[\n" + items + "\n" + closing_indent + "]"


def _insert_member(text: str, start: int, end: int, key: str, value: Any) -> tuple[int, int, str]:
    """The edit adding `"key": value` as the first member of the object at text[start:end]."""
    member = f"{json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}"
    first = _skip(text, start + 1)
    if text[first] == "}":
        return start + 1, start + 1, member  # what was inside (a comment in JSONC) stays
    between = text[start + 1 : first]
    if "\n" in between:
        # The first member's own indentation (not what lies between, which may be a comment).
        return first, first, member + ",\n" + between.rsplit("\n", 1)[1]
    return first, first, member + ", "

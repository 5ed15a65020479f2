"""JSON with comments (JSONC, as VS Code reads `.vscode/mcp.json`): parse it, edit one value.

`blank` turns JSONC into strict JSON of the same length by overwriting `//` and `/* */` comments
and trailing commas with spaces (line breaks kept). Offsets in the blanked text are offsets in
the original, so `json_edit` can find a value's span in the blanked text and the edit is applied
to the original: every comment and every byte outside the edited value stays as it was.

No JSONC library fitted: json5, jsonc-parser and commentjson parse but drop comments when they
write; json-five keeps them only through a node model that would have to be built by hand for an
insertion. This module is a scanner of strings and comments and nothing more.
"""

from __future__ import annotations

import json
from typing import Any

from wagents.files.json_edit import value_edit


class JsoncError(ValueError):
    """Text that is not JSONC: `line` and `column` are 1-based."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(f"{message} (line {line}, column {column})")
        self.message, self.line, self.column = message, line, column


def blank(text: str) -> str:
    """`text` with comments and trailing commas replaced by spaces, same length."""
    out = list(text)
    index, size = 0, len(text)
    last_comma: int | None = None  # a comma that may turn out to be trailing
    while index < size:
        char = text[index]
        if char == '"':
            index = _string_end(text, index)
            last_comma = None
            continue
        if char == "/" and text.startswith("//", index):
            end = text.find("\n", index)
            end = size if end == -1 else end
            _spaces(out, index, end)
            index = end
            continue
        if char == "/" and text.startswith("/*", index):
            end = text.find("*/", index + 2)
            if end == -1:
                raise _error(text, index, "unterminated /* comment")
            _spaces(out, index, end + 2)
            index = end + 2
            continue
        if char == ",":
            last_comma = index
        elif char in "}]":
            if last_comma is not None:
                out[last_comma] = " "
            last_comma = None
        elif not char.isspace():
            last_comma = None
        index += 1
    return "".join(out)


def loads(text: str) -> Any:
    """Parse JSONC; raises JsoncError with the position."""
    blanked = blank(text)
    try:
        return json.loads(blanked)
    except json.JSONDecodeError as exc:
        raise JsoncError(exc.msg, exc.lineno, exc.colno) from None


def set_value(text: str, path: list[str], value: Any) -> str:
    """`text` with the member at `path` set to `value` (see `json_edit.set_value`), comments and
    layout outside that member kept byte for byte."""
    start, end, replacement = value_edit(blank(text), path, value)
    return text[:start] + replacement + text[end:]


def _spaces(out: list[str], start: int, end: int) -> None:
    for position in range(start, end):
        if out[position] not in "\r\n":
            out[position] = " "


def _string_end(text: str, start: int) -> int:
    index = start + 1
    while index < len(text):
        if text[index] == "\\":
            index += 2
            continue
        if text[index] == '"':
            return index + 1
        if text[index] == "\n":
            break
        index += 1
    raise _error(text, start, "unterminated string")


def _error(text: str, index: int, message: str) -> JsoncError:
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return JsoncError(message, line, column)

"""A server's surface: what an MCP client sees of it, as one canonical JSON document.

The surface is built from what the probe's MCP session received (`tools/list`, `prompts/list`,
`resources/list`, `resources/templates/list` and the `initialize` result): each component exactly
as it came over the wire (`mcp.types` models dumped by alias, without None values), sorted by its
identity (a tool's or prompt's `name`, a resource's `uri`, a template's `uriTemplate`), and the
server's `name`, `version`, `instructions` and `capabilities`. The negotiated protocol version is
left out: the client chooses it, not the server.

`_meta` is kept whole: FastMCP adds `_meta.fastmcp.tags` (sorted by FastMCP) and, for a component
with a version, `_meta.fastmcp.version`, and strips its internal `_` keys before sending, so what
remains is defined by the server's code and the same on every run. Anything else the server puts
in `meta=` is part of what clients receive, so it is part of the surface.

The canonical text (`canonical_json`) has sorted keys, two-space indentation, UTF-8 characters as
they are except invisible and control characters, which are written as `\\uXXXX` escapes so that
a reviewer sees them in a diff, and a final newline; it holds no timestamps, paths of the machine
or anything else that varies between runs of the same code.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

#: The document's format; bump it when its shape changes.
SURFACE_FORMAT = 1
#: The key holding SURFACE_FORMAT.
FORMAT_KEY = "wagents-surface"
#: The component lists of a surface: (key in the document, singular label, identity key).
SECTIONS = (
    ("tools", "tool", "name"),
    ("prompts", "prompt", "name"),
    ("resources", "resource", "uri"),
    ("resourceTemplates", "template", "uriTemplate"),
)
#: Unicode categories written as escapes: controls, format characters (zero-width spaces, bidi
#: overrides, tag characters), line and paragraph separators, private use, surrogates, unassigned.
_ESCAPED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Co", "Cs", "Cn"})


def build_surface(
    *,
    name: str | None,
    version: str | None,
    instructions: str | None,
    capabilities: Mapping[str, Any] | None,
    tools: Iterable[Mapping[str, Any]] = (),
    prompts: Iterable[Mapping[str, Any]] = (),
    resources: Iterable[Mapping[str, Any]] = (),
    templates: Iterable[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """The surface document of one server from its session's lists and `initialize` result."""
    server: dict[str, Any] = {"name": name or ""}
    if version is not None:
        server["version"] = version
    if instructions is not None:
        server["instructions"] = instructions
    server["capabilities"] = dict(capabilities or {})
    lists = {"tools": tools, "prompts": prompts, "resources": resources}
    lists["resourceTemplates"] = templates
    document: dict[str, Any] = {FORMAT_KEY: SURFACE_FORMAT, "server": server}
    for key, _label, identity in SECTIONS:
        document[key] = _sorted([dict(item) for item in lists[key]], identity)
    # Through JSON and back: tuples become lists, and the document equals a parsed snapshot.
    normalized: dict[str, Any] = json.loads(_dump(document))
    return normalized


def _sorted(items: list[dict[str, Any]], identity: str) -> list[dict[str, Any]]:
    """Components by identity; two with the same identity (a broken server) by their content."""
    return sorted(items, key=lambda item: (str(item.get(identity, "")), _dump(item)))


def canonical_json(document: Any) -> str:
    """`document` as canonical JSON text (see the module docstring)."""
    text = json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False)
    return "".join(_escaped(char) for char in text) + "\n"


def _escaped(char: str) -> str:
    if char.isascii() and (char.isprintable() or char == "\n"):
        return char
    if unicodedata.category(char) not in _ESCAPED_CATEGORIES:
        return char
    # Outside strings the JSON text holds only ASCII, so `char` is inside a string literal.
    code = ord(char)
    if code > 0xFFFF:
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def _dump(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def surface_problem(document: Any) -> str | None:
    """Why `document` (a parsed snapshot) is not a surface document, or None when it is one."""
    if not isinstance(document, dict):
        return "is not a JSON object"
    if document.get(FORMAT_KEY) != SURFACE_FORMAT:
        return f"has no {FORMAT_KEY!r}: {SURFACE_FORMAT} (not written by this wagents)"
    if not isinstance(document.get("server"), dict):
        return "has no 'server' object"
    for key, _label, _identity in SECTIONS:
        items = document.get(key)
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            return f"has no {key!r} list of objects"
    return None

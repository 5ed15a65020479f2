"""Format-preserving edits of pyproject.toml text (the only module that uses tomlkit).

Each function takes the file's text and returns the new text; everything outside the edited
values stays byte for byte as it was, including comments and CRLF line endings.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import tomlkit
import tomlkit.exceptions
from tomlkit.items import AoT, Array, Table
from tomlkit.toml_document import TOMLDocument

from wagents.model import UsageError

#: Tables created without a header of their own when only their subtables hold keys.
SUPER_TABLES = ("tool", "uv", "pytest")


def register_server(text: str, *, name: str, member_path: str, covered: bool, group: str) -> str:
    """Make the root pyproject install server `name` living at `member_path`.

    Appends `member_path` to `[tool.uv.workspace].members` unless a glob already `covered` it,
    adds `name` to the dependency group `group` (creating the group and listing it in
    `[tool.uv].default-groups` if needed) and maps `name` to the workspace in `[tool.uv.sources]`.
    Already-present entries are left alone, so the edit is idempotent.
    """

    def edit(document: TOMLDocument) -> None:
        uv = _table(_table(document, "tool"), "uv")
        if not covered:
            _append_unique(_array(_table(uv, "workspace"), "members"), member_path)
        groups = _table(document, "dependency-groups")
        if group not in groups:
            groups[group] = tomlkit.array()
            defaults = uv.get("default-groups")
            if defaults is None:
                uv["default-groups"] = ["dev", group]
            elif isinstance(defaults, Array):
                _append_unique(defaults, group)
        _append_unique(_array(groups, group), name)
        sources = _table(uv, "sources")
        if name not in sources:
            # Parsed with its newline so that tomlkit keeps the blank line before the next table.
            sources[name] = tomlkit.parse("x = { workspace = true }\n")["x"]

    return edit_toml(text, edit)


def set_pytest_asyncio_auto(text: str) -> str:
    """Set `[tool.pytest.ini_options] asyncio_mode = "auto"` (creating the tables if needed).

    A pyproject that configures pytest 9's native `[tool.pytest]` table gets the key there
    instead: pytest refuses a file that uses both.
    """

    def edit(document: TOMLDocument) -> None:
        pytest_table = _table(_table(document, "tool"), "pytest")
        native = any(key != "ini_options" for key in pytest_table)
        options = pytest_table if native else _table(pytest_table, "ini_options")
        options["asyncio_mode"] = "auto"

    return edit_toml(text, edit)


def edit_toml(text: str, edit: Callable[[TOMLDocument], None]) -> str:
    """Parse `text`, apply `edit` to the document and dump it, keeping the file's line endings."""
    try:
        document = tomlkit.parse(text)
    except tomlkit.exceptions.ParseError as exc:
        raise UsageError(f"pyproject.toml is not valid TOML: {exc}") from None
    edit(document)
    result = tomlkit.dumps(document)
    if "\r\n" in text:
        result = result.replace("\r\n", "\n").replace("\n", "\r\n")
    return result


def _table(parent: Any, key: str) -> Table:
    if key not in parent:
        parent[key] = tomlkit.table(is_super_table=key in SUPER_TABLES)
    value = parent[key]
    if not isinstance(value, Table | dict) or isinstance(value, AoT):
        raise UsageError(f"pyproject.toml: '{key}' must be a table, found {type(value).__name__}")
    return value  # type: ignore[return-value]  # a plain dict only from an inline table: same API


def _array(parent: Table, key: str) -> Array:
    if key not in parent:
        parent[key] = tomlkit.array()
    value = parent[key]
    if not isinstance(value, Array):
        raise UsageError(f"pyproject.toml: '{key}' must be an array, found {type(value).__name__}")
    return value


def _append_unique(array: Array, value: str) -> None:
    """Append `value` unless present, one item per line if the array is laid out that way."""
    if value in [str(item) for item in array]:
        return
    text = array.as_string()
    if "\n" not in text:
        array.append(value)
        return
    item_lines = [line for line in text.splitlines()[1:] if line.strip() and line.strip() != "]"]
    indent = (
        item_lines[0][: len(item_lines[0]) - len(item_lines[0].lstrip())] if item_lines else "    "
    )
    array.add_line(value, indent=indent)

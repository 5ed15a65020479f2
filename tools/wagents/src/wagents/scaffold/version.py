"""A server's own `serverInfo.version`: `version=` added to an adopted server's `FastMCP(...)`.

FastMCP reports its own version to clients unless the server passes `version=`. `wagents new`
writes servers that pass `version=server_version("NAME")`, a function that reads
`[project].version` of the server's pyproject.toml (see the scaffold's server.py); `wagents adopt`
adds the same function and keyword to the entry module of the server it brings in, by editing
only those two places of the source text (every other byte stays as it was). Nothing is changed
when the constructor already has a `version=` or takes `**kwargs`, or when the call cannot be
found by reading the code; the note says so.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from wagents.analysis.entrypoints import Candidate
from wagents.analysis.pyast import fastmcp_calls, walk_function_body

#: The function added to an adopted entry module (imports inside: the module's own import block
#: is left alone). Same behaviour as the scaffold's `server_version`.
FUNCTION = '''def {function}(name: str) -> str | None:
    """This server's own version, which clients see as `serverInfo.version` (added by
    `wagents adopt`).

    `[project].version` of the pyproject.toml named `name` in this directory or above it: the
    workspace does not install its servers (`[tool.uv] package = false`), and a deployment
    copies pyproject.toml with the code. Else the installed distribution's version; else None,
    and FastMCP reports its own.
    """
    import importlib.metadata
    import tomllib
    from pathlib import Path

    for directory in Path(__file__).resolve().parents:
        try:
            with (directory / "pyproject.toml").open("rb") as file:
                project = tomllib.load(file).get("project", {{}})
        except (OSError, tomllib.TOMLDecodeError):
            continue
        if project.get("name") == name and isinstance(project.get("version"), str):
            return str(project["version"])
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None
'''
_FUNCTION_NAMES = ("server_version", "_server_version", "wagents_server_version")


def add_version(text: str, tree: ast.Module, entry: Candidate, name: str) -> tuple[str, str]:
    """`text` (the entry module, parsed as `tree`) with `version=` passed to the entry's
    `FastMCP(...)`, and a note saying what was done or why not."""
    found = _constructor(tree, entry)
    if found is None:
        return text, (
            f"{entry.module}: the FastMCP(...) call was not found; pass "
            "version= yourself, or clients see FastMCP's version as the server's"
        )
    statement, call = found
    if any(keyword.arg == "version" for keyword in call.keywords):
        return text, f"{entry.module}: FastMCP(...) keeps its own version="
    if any(keyword.arg is None for keyword in call.keywords):
        return text, f"{entry.module}: FastMCP(..., **kwargs): pass version= yourself"
    bound = _bound_names(tree)
    function = next((item for item in _FUNCTION_NAMES if item not in bound), None)
    if function is None:
        return text, f"{entry.module}: pass version= to FastMCP(...) yourself"
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines(keepends=True)
    edited = _insert_keyword(lines, call, f'version={function}("{name}")')
    at = _statement_start(lines, statement)
    helper = FUNCTION.format(function=function).replace("\n", newline) + newline + newline
    blank = sum(1 for line in edited[max(0, at - 2) : at] if not line.strip())
    helper = newline * (2 - blank if at > 0 else 0) + helper
    edited = [*edited[:at], helper, *edited[at:]]
    note = (
        f'{entry.module}: FastMCP(..., version={function}("{name}")) added: clients see '
        "[project].version of pyproject.toml as the server's version"
    )
    return "".join(edited), note


def _constructor(tree: ast.Module, entry: Candidate) -> tuple[ast.stmt, ast.Call] | None:
    """The top-level statement holding the entry's `FastMCP(...)` call, and the call."""
    calls = {id(call) for call in fastmcp_calls(tree)}

    def constructor(node: ast.AST) -> bool:
        return id(node) in calls

    functions = {
        node.name: node
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }

    def in_function(function: ast.FunctionDef | ast.AsyncFunctionDef) -> ast.Call | None:
        calls = [node for node in walk_function_body(function) if constructor(node)]
        return calls[0] if len(calls) == 1 and isinstance(calls[0], ast.Call) else None

    if entry.kind == "factory" and entry.name in functions:
        function = functions[entry.name]
        call = in_function(function)
        return (function, call) if call is not None else None
    if entry.kind != "instance":
        return None
    for statement in tree.body:
        if statement.lineno != entry.line:
            continue
        for value in _bound_values(statement, entry.name):
            if constructor(value) and isinstance(value, ast.Call):
                return statement, value
            if isinstance(value, ast.Call) and isinstance(value.func, ast.Name):
                factory = functions.get(value.func.id)
                call = in_function(factory) if factory is not None else None
                if factory is not None and call is not None:
                    return factory, call
    return None


def _bound_values(node: ast.stmt, name: str) -> Iterator[ast.expr]:
    for child in ast.walk(node):
        if isinstance(child, ast.Assign):
            targets = child.targets
        elif isinstance(child, ast.AnnAssign) and child.value is not None:
            targets = [child.target]
        else:
            continue
        if any(isinstance(target, ast.Name) and target.id == name for target in targets):
            assert child.value is not None
            yield child.value


def _bound_names(tree: ast.Module) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.id if isinstance(node, ast.Name) else node.name)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).split(".")[0])
    return names


def _insert_keyword(lines: list[str], call: ast.Call, keyword: str) -> list[str]:
    """`keyword` as the call's last argument (after the last one it has, else after `(`)."""
    arguments: list[ast.expr | ast.keyword] = [*call.args, *call.keywords]
    edited = list(lines)
    if arguments:
        last = max(arguments, key=lambda item: (item.end_lineno or 0, item.end_col_offset or 0))
        row, column, insert = (last.end_lineno or 1) - 1, last.end_col_offset or 0, f", {keyword}"
    else:
        row, column = (call.func.end_lineno or 1) - 1, call.func.end_col_offset or 0
        while "(" not in lines[row].encode("utf-8")[column:].decode("utf-8", "replace"):
            row, column = row + 1, 0
        column += lines[row].encode("utf-8")[column:].index(b"(") + 1
        insert = keyword
    raw = edited[row].encode("utf-8")  # ast columns count UTF-8 bytes
    edited[row] = (raw[:column] + insert.encode("utf-8") + raw[column:]).decode("utf-8")
    return edited


def _statement_start(lines: list[str], statement: ast.stmt) -> int:
    """The line index to insert before `statement`: above its decorators and the comment lines
    directly above it (they belong to it)."""
    decorators: list[ast.expr] = getattr(statement, "decorator_list", [])
    index = min([statement.lineno, *(decorator.lineno for decorator in decorators)]) - 1
    while index > 0 and lines[index - 1].lstrip().startswith("#"):
        index -= 1
    return index

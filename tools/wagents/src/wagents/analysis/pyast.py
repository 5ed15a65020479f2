"""Questions about Python syntax trees that several rules ask (no code is ever run)."""

from __future__ import annotations

import ast
import weakref
from collections.abc import Iterator
from dataclasses import dataclass

#: Exceptions whose handler makes an import optional (`try: import x / except ImportError:`).
IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError"})


_NODES: weakref.WeakKeyDictionary[ast.Module, tuple[ast.AST, ...]] = weakref.WeakKeyDictionary()


def nodes(module: ast.Module) -> tuple[ast.AST, ...]:
    """Every node of `module` (`ast.walk` order), walked once per module object: several
    analyses ask, and a walk costs about as much as all they do with it."""
    found = _NODES.get(module)
    if found is None:
        found = _NODES[module] = tuple(ast.walk(module))
    return found


def constant_string(node: ast.AST | None) -> str | None:
    """The value of a string literal, else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def dotted_name(node: ast.AST) -> str | None:
    """`a.b.c` for Name/Attribute chains, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def is_fastmcp_constructor(call: ast.Call) -> bool:
    """`FastMCP(...)` or `<anything>.FastMCP(...)` (fastmcp.FastMCP, fastmcp.server.FastMCP)."""
    func = call.func
    return (isinstance(func, ast.Name) and func.id == "FastMCP") or (
        isinstance(func, ast.Attribute) and func.attr == "FastMCP"
    )


def fastmcp_aliases(module: ast.Module) -> set[str]:
    """Local names of the FastMCP class: `FastMCP`, plus `from fastmcp import FastMCP as X`."""
    names = {"FastMCP"}
    for node in nodes(module):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("fastmcp"):
            names |= {
                alias.asname for alias in node.names if alias.name == "FastMCP" and alias.asname
            }
    return names


def fastmcp_calls(module: ast.Module) -> Iterator[ast.Call]:
    """Every call of the FastMCP constructor, under any of its import names."""
    aliases = fastmcp_aliases(module)
    for node in nodes(module):
        if isinstance(node, ast.Call) and (
            is_fastmcp_constructor(node)
            or (isinstance(node.func, ast.Name) and node.func.id in aliases)
        ):
            yield node


def server_names(module: ast.Module) -> set[str]:
    """Names bound to a FastMCP instance by an assignment (`mcp = FastMCP(...)`)."""
    calls = {id(call) for call in fastmcp_calls(module)}
    names = set()
    for node in nodes(module):
        value = getattr(node, "value", None)
        if isinstance(node, ast.Assign | ast.AnnAssign) and id(value) in calls:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {target.id for target in targets if isinstance(target, ast.Name)}
    return names


def is_main_guard(node: ast.stmt) -> bool:
    """`if __name__ == "__main__":` (either side first): what runs only as a script."""
    if not isinstance(node, ast.If) or not isinstance(node.test, ast.Compare):
        return False
    parts = [node.test.left, *node.test.comparators]
    names = {part.id for part in parts if isinstance(part, ast.Name)}
    constants = {part.value for part in parts if isinstance(part, ast.Constant)}
    return names == {"__name__"} and constants == {"__main__"}


def top_level_names(module: ast.Module) -> set[str]:
    """The names a module binds at its top level, as `fastmcp run file.py:NAME` can reach them."""
    names: set[str] = set()
    for node in module.body:
        names |= names_bound(node)
    return names


def names_bound(node: ast.stmt) -> set[str]:
    """The names one top-level statement binds: assignments, definitions, imports, and the
    statements inside an `if`, `try` (with its handlers) or `with` at the same level."""
    match node:
        case ast.Assign(targets=targets):
            return {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
        case ast.AnnAssign(target=ast.Name(id=name)) | ast.AugAssign(target=ast.Name(id=name)):
            return {name}
        case ast.FunctionDef(name=name) | ast.AsyncFunctionDef(name=name) | ast.ClassDef(name=name):
            return {name}
        case ast.Import(names=aliases) | ast.ImportFrom(names=aliases):
            return {(a.asname or a.name).split(".")[0] for a in aliases}
        case ast.If() | ast.Try() | ast.With():
            inner: set[str] = set()
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.stmt):
                    inner |= names_bound(child)
                elif isinstance(child, ast.ExceptHandler):
                    for stmt in child.body:
                        inner |= names_bound(stmt)
            return inner
    return set()


def walk_function_body(function: ast.AsyncFunctionDef | ast.FunctionDef) -> Iterator[ast.AST]:
    """The nodes of a function's body, not descending into nested functions, lambdas or classes."""
    stack: list[ast.AST] = list(reversed(function.body))
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            continue
        stack.extend(reversed(list(ast.iter_child_nodes(node))))


@dataclass(frozen=True)
class Import:
    """One imported top-level module (`import a.b` → `a`) and where."""

    module: str
    line: int


def imports(module: ast.Module) -> Iterator[Import]:
    """Absolute imports that must succeed: not relative, not `__future__`, not under
    `if TYPE_CHECKING:`, not in a `try` whose handler catches ImportError (optional imports)."""
    yield from _imports_in(module.body)


def _imports_in(body: list[ast.stmt]) -> Iterator[Import]:
    for node in body:
        match node:
            case ast.Import(names=aliases):
                for alias in aliases:
                    yield Import(alias.name.split(".")[0], node.lineno)
            case ast.ImportFrom(module=name, level=0) if name and name != "__future__":
                yield Import(name.split(".")[0], node.lineno)
            case ast.If(test=test) if _is_type_checking(test):
                yield from _imports_in(node.orelse)
            case ast.Try() | ast.TryStar():
                if not any(_catches_import_error(h) for h in node.handlers):
                    yield from _imports_in(node.body)
                for handler in node.handlers:
                    yield from _imports_in(handler.body)
                yield from _imports_in(node.orelse)
                yield from _imports_in(node.finalbody)
            case _:
                for child in ast.iter_child_nodes(node):
                    if isinstance(child, ast.stmt):
                        yield from _imports_in([child])
                    elif isinstance(child, ast.ExceptHandler | ast.match_case):
                        yield from _imports_in(child.body)


def _is_type_checking(test: ast.expr) -> bool:
    return dotted_name(test) in {"TYPE_CHECKING", "typing.TYPE_CHECKING"}


def _catches_import_error(handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    caught = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    names = {(dotted_name(item) or "").rpartition(".")[2] for item in caught}
    return bool(names & (IMPORT_ERRORS | {"Exception", "BaseException"}))

"""Find the FastMCP server a set of modules defines, by reading them (nothing is imported).

`fastmcp run FILE` imports the file and takes `mcp`, `server` or `app` when it is a FastMCP
instance, or the object the config names, calling it when it is a function (a factory). This
module answers the same question from syntax trees, for code that must not be run yet:

- an *instance* is a top-level name bound to `FastMCP(...)` (any import alias) or to the result
  of calling a local factory (`mcp = create_server()`);
- a *factory* is a top-level function that can be called without arguments and returns a
  FastMCP instance it builds (`return FastMCP(...)`, or a local bound to one);
- a server passed to another's `.mount(...)` or `.import_server(...)` is a part, not the root;
- a factory whose result a module already binds at top level is that instance, not a second
  server.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from wagents.analysis.pyast import (
    dotted_name,
    fastmcp_aliases,
    is_fastmcp_constructor,
    is_main_guard,
)

#: What `fastmcp run` tries, in order, when no entrypoint is named.
DEFAULT_NAMES = ("mcp", "server", "app")
#: Methods that make their argument a part of another server.
COMPOSING_METHODS = frozenset({"mount", "import_server"})


@dataclass(frozen=True, order=True)
class Candidate:
    """A server a module defines: `module` is its path (POSIX, relative to the source root)."""

    module: str
    name: str
    kind: str  # "instance" or "factory"
    line: int

    @property
    def spec(self) -> str:
        """`path.py:name`, the form fastmcp and `--entrypoint` use."""
        return f"{self.module}:{self.name}"


def find_servers(modules: Mapping[str, ast.Module]) -> list[Candidate]:
    """The root servers of `modules` (by relative path), sorted by module and line."""
    found: list[Candidate] = []
    parts: set[str] = set()
    for path, tree in modules.items():
        found += _candidates(path, tree)
        parts |= _composed_names(tree)
    roots = [item for item in found if not (item.kind == "instance" and item.name in parts)]
    return sorted(roots, key=lambda item: (item.module, item.line))


def _candidates(path: str, tree: ast.Module) -> Iterator[Candidate]:
    aliases = fastmcp_aliases(tree)
    factories = {
        node.name: node
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and _callable_without_arguments(node)
        and _returns_server(node, aliases)
    }
    absorbed: set[str] = set()
    instances: set[str] = set()
    for node in tree.body:
        for name, value in _top_level_bindings(node):
            factory = _called_factory(value, factories)
            if _is_constructor(value, aliases) or factory is not None:
                absorbed.add(factory or "")
                instances.add(name)
                yield Candidate(path, name, "instance", node.lineno)
    for name, function in factories.items():
        # A factory that hands out a module-level instance (`return mcp`) is that instance.
        if name not in absorbed and not _returns_only(function, instances):
            yield Candidate(path, name, "factory", function.lineno)


def _returns_only(function: ast.FunctionDef | ast.AsyncFunctionDef, names: set[str]) -> bool:
    values = [
        node.value
        for node in _walk_own_body(function)
        if isinstance(node, ast.Return) and node.value is not None
    ]
    return bool(values) and all(
        isinstance(value, ast.Name) and value.id in names for value in values
    )


def _top_level_bindings(node: ast.stmt) -> Iterator[tuple[str, ast.expr]]:
    """`(name, value)` for `name = value` and `name: T = value` at the top of a module (also
    inside top-level `if`/`try` blocks, where servers are sometimes built)."""
    match node:
        case ast.Assign(targets=targets, value=value):
            for target in targets:
                if isinstance(target, ast.Name):
                    yield target.id, value
        case ast.AnnAssign(target=ast.Name(id=name), value=value) if value is not None:
            yield name, value
        case ast.If(body=body, orelse=orelse) if not is_main_guard(node):
            for child in [*body, *orelse]:
                yield from _top_level_bindings(child)
        case ast.Try(body=body, orelse=orelse):
            for child in [*body, *orelse]:
                yield from _top_level_bindings(child)


def _is_constructor(value: ast.expr, aliases: set[str]) -> bool:
    return isinstance(value, ast.Call) and (
        is_fastmcp_constructor(value)
        or (isinstance(value.func, ast.Name) and value.func.id in aliases)
    )


def _called_factory(
    value: ast.expr, factories: Mapping[str, ast.FunctionDef | ast.AsyncFunctionDef]
) -> str | None:
    if (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Name)
        and value.func.id in factories
    ):
        return value.func.id
    return None


def _callable_without_arguments(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    arguments = function.args
    positional = [*arguments.posonlyargs, *arguments.args]
    keyword_defaults = [d for d in arguments.kw_defaults if d is not None]
    return len(arguments.defaults) == len(positional) and len(keyword_defaults) == len(
        arguments.kwonlyargs
    )


def _returns_server(function: ast.FunctionDef | ast.AsyncFunctionDef, aliases: set[str]) -> bool:
    """The function returns `FastMCP(...)`, or a local it bound to one; or it is annotated
    `-> FastMCP` and returns something."""
    built: set[str] = set()
    returns: list[ast.expr] = []
    for node in _walk_own_body(function):
        if isinstance(node, ast.Assign) and _is_constructor(node.value, aliases):
            built |= {target.id for target in node.targets if isinstance(target, ast.Name)}
        elif (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and node.value is not None
            and _is_constructor(node.value, aliases)
        ):
            built.add(node.target.id)
        elif isinstance(node, ast.Return) and node.value is not None:
            returns.append(node.value)
    for value in returns:
        if _is_constructor(value, aliases):
            return True
        if isinstance(value, ast.Name) and value.id in built:
            return True
    annotation = dotted_name(function.returns) if function.returns is not None else None
    return bool(returns) and annotation is not None and annotation.rpartition(".")[2] in aliases


def _walk_own_body(function: ast.FunctionDef | ast.AsyncFunctionDef) -> Iterator[ast.AST]:
    stack: list[ast.AST] = list(function.body)
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            continue
        stack.extend(ast.iter_child_nodes(node))


def _composed_names(tree: ast.Module) -> set[str]:
    """Names passed to `.mount(...)` / `.import_server(...)` anywhere in the module."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in COMPOSING_METHODS
        ):
            for argument in [*node.args, *(keyword.value for keyword in node.keywords)]:
                if isinstance(argument, ast.Name):
                    names.add(argument.id)
    return names


def tool_names(tree: ast.Module, server_names: set[str]) -> list[str]:
    """Tools registered with `@S.tool`, `@S.tool()` or `@S.tool(name="x")` on a server whose
    local name is in `server_names`, in source order (a smoke test expects at least these)."""
    names: list[str] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for decorator in node.decorator_list:
            call = decorator if isinstance(decorator, ast.Call) else None
            target = call.func if call is not None else decorator
            if not (
                isinstance(target, ast.Attribute)
                and target.attr == "tool"
                and isinstance(target.value, ast.Name)
                and target.value.id in server_names
            ):
                continue
            explicit = None
            if call is not None:
                for keyword in call.keywords:
                    if keyword.arg == "name":
                        explicit = keyword.value
                if call.args:
                    explicit = call.args[0]
            if explicit is None:
                names.append(node.name)
            elif isinstance(explicit, ast.Constant) and isinstance(explicit.value, str):
                names.append(explicit.value)
    return names

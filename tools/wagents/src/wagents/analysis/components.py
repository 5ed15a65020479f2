"""The tools, resources, prompts and lifespans a module defines, found in its syntax tree.

A component is a function registered with a decorator (`@mcp.tool`, `@mcp.tool(...)`,
`@server.resource("uri")`, `@mcp.prompt`, fastmcp's standalone `@tool`, or the low-level
`@server.call_tool()`/`get_prompt()`/`read_resource()` handlers), by a call
(`mcp.tool(fn)`, `mcp.add_tool(Tool.from_function(fn))`, `mcp.resource("uri")(fn)`), or passed as
`FastMCP(..., lifespan=fn)`. The receiver of the decorator can be any name, so tools defined
inside a factory (`def create_server(): mcp = FastMCP(...); @mcp.tool ...`) count.

Each parameter of a tool, resource template or prompt is a source of caller text unless FastMCP
injects it (a `Context` annotation, a `Depends(...)`/`CurrentContext()` default, `exclude_args`)
or its annotation lets no text through: numbers, booleans, dates, UUIDs, `Literal[...]`, enums
defined in the module, a `pattern=` constraint that admits none of a family's probes (see
`[parameters]` in data/sinks.toml), and containers or models made of those.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass

from wagents.analysis.knowledge import Knowledge
from wagents.analysis.names import ImportNames
from wagents.analysis.pyast import constant_string, dotted_name, nodes

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef

#: Decorator and method names that register each kind of component (the last three are the
#: handlers of the low-level `mcp.server.lowlevel.Server`, whose `arguments` come from the caller).
DECORATORS = {
    "tool": "tool",
    "resource": "resource",
    "prompt": "prompt",
    "call_tool": "tool",
    "get_prompt": "prompt",
    "read_resource": "resource",
}
REGISTRATIONS = {
    "tool": "tool",
    "add_tool": "tool",
    "prompt": "prompt",
    "add_prompt": "prompt",
    "resource": "resource",
    "add_resource": "resource",
    "add_template": "resource",
}
#: fastmcp's standalone decorators (`from fastmcp.tools import tool`).
STANDALONE = {
    "fastmcp.tools.tool": "tool",
    "fastmcp.tools.function_tool.tool": "tool",
    "fastmcp.resources.resource": "resource",
    "fastmcp.resources.function_resource.resource": "resource",
    "fastmcp.prompts.prompt": "prompt",
    "fastmcp.prompts.function_prompt.prompt": "prompt",
}


@dataclass(frozen=True)
class Parameter:
    """One parameter of a component: the families of harm its value can carry (none: clean)."""

    name: str
    families: frozenset[str]


@dataclass(frozen=True)
class Component:
    """A function the server exposes (tool, resource, prompt) or runs (lifespan)."""

    kind: str
    name: str
    function: FunctionNode
    parameters: tuple[Parameter, ...]
    run_in_thread: bool = True

    @property
    def is_async(self) -> bool:
        return isinstance(self.function, ast.AsyncFunctionDef)

    @property
    def label(self) -> str:
        """`tool 'read_file'`, `resource template 'file://{path}'`, `lifespan 'lifespan'`."""
        kind = self.kind
        if kind == "resource" and self.parameters:
            kind = "resource template"
        return f"{kind} {self.name!r}"


@dataclass(frozen=True)
class Scopes:
    """Which function a called name means inside each function.

    Module-level functions are visible everywhere; the functions a function defines are visible
    in it and in the functions nested in it (a factory's helpers, seen by its tools).
    """

    module_functions: dict[str, FunctionNode]
    local_functions: dict[int, dict[str, FunctionNode]]
    parents: dict[int, FunctionNode]

    @classmethod
    def of(cls, module: ast.Module) -> Scopes:
        module_functions: dict[str, FunctionNode] = {}
        local: dict[int, dict[str, FunctionNode]] = {}
        parents: dict[int, FunctionNode] = {}

        def visit(body: list[ast.stmt], owner: FunctionNode | None) -> None:
            for node in _statements(body):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    if owner is None:
                        module_functions[node.name] = node
                    else:
                        local.setdefault(id(owner), {})[node.name] = node
                        parents[id(node)] = owner
                    visit(node.body, node)

        visit(module.body, None)
        return cls(module_functions, local, parents)

    def chain(self, function: FunctionNode) -> list[FunctionNode]:
        """The functions enclosing `function`, outermost first."""
        out = []
        current = self.parents.get(id(function))
        while current is not None:
            out.append(current)
            current = self.parents.get(id(current))
        return list(reversed(out))

    def resolve(self, name: str, inside: FunctionNode | None) -> FunctionNode | None:
        """The function `name` means when called inside `inside` (None: at module level)."""
        current = inside
        while current is not None:
            found = self.local_functions.get(id(current), {}).get(name)
            if found is not None:
                return found
            current = self.parents.get(id(current))
        return self.module_functions.get(name)


def _statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Statements of a body and of its compound statements (not of nested functions/classes)."""
    for node in body:
        yield node
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        for field in ("body", "orelse", "finalbody"):
            inner = getattr(node, field, None)
            if isinstance(inner, list):
                yield from _statements([n for n in inner if isinstance(n, ast.stmt)])
        for handler in getattr(node, "handlers", []) or []:
            yield from _statements(handler.body)
        for case in getattr(node, "cases", []) or []:
            yield from _statements(case.body)


def find_components(
    module: ast.Module, names: ImportNames, scopes: Scopes, knowledge: Knowledge
) -> tuple[Component, ...]:
    """Every component the module defines, in source order."""
    every = nodes(module)
    classes = {node.name: node for node in every if isinstance(node, ast.ClassDef)}
    types = _Types(names, classes, _type_aliases(module), knowledge)
    found: dict[int, Component] = {}
    for node in every:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for decorator in node.decorator_list:
                registered = _decorator(decorator, names)
                if registered is not None:
                    kind, call = registered
                    found[id(node)] = _component(kind, node, call, types)
                    break
        elif isinstance(node, ast.Call):
            registered_fn = _registration(node, scopes)
            if registered_fn is not None:
                kind, function, call = registered_fn
                found.setdefault(id(function), _component(kind, function, call, types))
            if _is_fastmcp(node, names):
                for keyword in node.keywords:
                    if keyword.arg == "lifespan" and isinstance(keyword.value, ast.Name):
                        lifespan = scopes.resolve(keyword.value.id, None) or _any_function(
                            module, keyword.value.id
                        )
                        if lifespan is not None:
                            found.setdefault(
                                id(lifespan), Component("lifespan", lifespan.name, lifespan, ())
                            )
    return tuple(sorted(found.values(), key=lambda c: c.function.lineno))


def _type_aliases(module: ast.Module) -> dict[str, ast.expr]:
    """Module-level `Name = Literal[...]` (or `X | Y`, `Annotated[...]`) and `type Name = ...`."""
    aliases: dict[str, ast.expr] = {}
    for node in module.body:
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.Subscript | ast.BinOp)
        ):
            aliases[node.targets[0].id] = node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
            if (dotted_name(node.annotation) or "").endswith("TypeAlias"):
                aliases[node.target.id] = node.value
        elif type(node).__name__ == "TypeAlias":  # `type Name = ...` (Python 3.12)
            name, value = getattr(node, "name", None), getattr(node, "value", None)
            if isinstance(name, ast.Name) and isinstance(value, ast.expr):
                aliases[name.id] = value
    return aliases


def _is_fastmcp(call: ast.Call, names: ImportNames) -> bool:
    name = dotted_name(call.func) or ""
    return names.qualify(name).rpartition(".")[2] == "FastMCP" or name.endswith("FastMCP")


def _any_function(module: ast.Module, name: str) -> FunctionNode | None:
    for node in nodes(module):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == name:
            return node
    return None


def _decorator(decorator: ast.expr, names: ImportNames) -> tuple[str, ast.Call | None] | None:
    call = decorator if isinstance(decorator, ast.Call) else None
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    if isinstance(target, ast.Attribute) and target.attr in DECORATORS:
        return DECORATORS[target.attr], call
    if isinstance(target, ast.Name):
        kind = STANDALONE.get(names.qualify(target.id))
        if kind is not None:
            return kind, call
    return None


def _registration(
    call: ast.Call, scopes: Scopes
) -> tuple[str, FunctionNode, ast.Call | None] | None:
    """`mcp.tool(fn)`, `mcp.add_tool(Tool.from_function(fn, ...))`, `mcp.resource(uri)(fn)`."""
    func = call.func
    decorator_call: ast.Call | None = None
    if isinstance(func, ast.Call) and isinstance(func.func, ast.Attribute):
        decorator_call, func = func, func.func  # mcp.resource("uri")(fn)
    if not isinstance(func, ast.Attribute) or func.attr not in REGISTRATIONS or not call.args:
        return None
    argument = call.args[0]
    options = decorator_call
    if (
        isinstance(argument, ast.Call)
        and isinstance(argument.func, ast.Attribute)
        and argument.func.attr == "from_function"
        and argument.args
    ):
        options, argument = argument, argument.args[0]
    if not isinstance(argument, ast.Name):
        return None
    function = scopes.resolve(argument.id, None) or next(
        (
            f
            for table in scopes.local_functions.values()
            for n, f in table.items()
            if n == argument.id
        ),
        None,
    )
    if function is None:
        return None
    return REGISTRATIONS[func.attr], function, options


def _component(
    kind: str, function: FunctionNode, call: ast.Call | None, types: _Types
) -> Component:
    name = function.name
    excluded: set[str] = set()
    run_in_thread = True
    if call is not None:
        if call.args and (text := constant_string(call.args[0])) is not None:
            name = text
        for keyword in call.keywords:
            if keyword.arg in ("name", "uri") and (text := constant_string(keyword.value)):
                name = text
            elif keyword.arg == "exclude_args" and isinstance(keyword.value, ast.List | ast.Tuple):
                excluded |= {text for item in keyword.value.elts if (text := constant_string(item))}
            elif (
                keyword.arg == "run_in_thread"
                and isinstance(keyword.value, ast.Constant)
                and keyword.value.value is False
            ):
                run_in_thread = False
    parameters = tuple(
        parameter
        for arg, default in _arguments(function)
        if arg.arg not in excluded and (parameter := types.parameter(arg, default)) is not None
    )
    return Component(kind, name, function, parameters, run_in_thread)


def _arguments(function: FunctionNode) -> Iterator[tuple[ast.arg, ast.expr | None]]:
    args = function.args
    positional = [*args.posonlyargs, *args.args]
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults))
    defaults += list(args.defaults)
    yield from zip(positional, defaults, strict=True)
    yield from zip(args.kwonlyargs, args.kw_defaults, strict=True)
    if args.vararg is not None:
        yield args.vararg, None
    if args.kwarg is not None:
        yield args.kwarg, None


class _Types:
    """What families of harm an annotation lets through (pydantic validates before the call)."""

    def __init__(
        self,
        names: ImportNames,
        classes: dict[str, ast.ClassDef],
        aliases: dict[str, ast.expr],
        knowledge: Knowledge,
    ) -> None:
        self.names = names
        self.classes = classes
        self.aliases = aliases
        self.knowledge = knowledge

    def parameter(self, arg: ast.arg, default: ast.expr | None) -> Parameter | None:
        """The parameter as a source, or None when FastMCP injects it."""
        if arg.arg in ("self", "cls"):
            return None
        if arg.annotation is not None and self._mentions_injected(arg.annotation):
            return None
        if isinstance(default, ast.Call):
            called = self.names.qualify(dotted_name(default.func) or "")
            if called.rpartition(".")[2] in self.knowledge.injected_defaults:
                return None
        return Parameter(arg.arg, self.families(arg.annotation, depth=0))

    def _mentions_injected(self, annotation: ast.expr) -> bool:
        injected = self.knowledge.injected_types
        for node in ast.walk(annotation):
            name = dotted_name(node) if isinstance(node, ast.Name | ast.Attribute) else None
            if name is not None and (name in injected or self.names.qualify(name) in injected):
                return True
        return False

    def families(self, node: ast.expr | None, depth: int) -> frozenset[str]:
        everything = self.knowledge.families
        if node is None or depth > 6:
            return everything
        if isinstance(node, ast.Constant):
            if node.value is None:
                return frozenset()
            if isinstance(node.value, str):  # a quoted annotation
                try:
                    parsed = ast.parse(node.value, mode="eval").body
                except SyntaxError:
                    return everything
                return self.families(parsed, depth + 1)
            return everything
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            return self.families(node.left, depth + 1) | self.families(node.right, depth + 1)
        if isinstance(node, ast.Subscript):
            return self._subscript(node, depth)
        if isinstance(node, ast.Call):
            return self._constraint_call(node) or everything
        if isinstance(node, ast.Name | ast.Attribute):
            return self._named(node, depth)
        return everything

    def _qualified(self, node: ast.expr) -> str:
        name = dotted_name(node) or ""
        return self.names.qualify(name)

    def _subscript(self, node: ast.Subscript, depth: int) -> frozenset[str]:
        everything = self.knowledge.families
        base = self._qualified(node.value)
        last = base.rpartition(".")[2]
        items = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        if last == "Literal":
            return frozenset()
        if last == "Annotated" and items:
            inner = self.families(items[0], depth + 1)
            for meta in items[1:]:
                if isinstance(meta, ast.Call):
                    constrained = self._constraint_call(meta)
                    if constrained is not None:
                        inner &= constrained
            return inner
        if last in self.knowledge.containers or base in self.knowledge.containers:
            out: frozenset[str] = frozenset()
            for item in items:
                if isinstance(item, ast.Constant) and item.value is Ellipsis:
                    continue
                out |= self.families(item, depth + 1)
            return out
        return everything

    def _constraint_call(self, call: ast.Call) -> frozenset[str] | None:
        """The families a `Field(pattern=...)`/`constr(pattern=...)` still admits, else None."""
        called = self._qualified(call.func)
        if called not in self.knowledge.pattern_constraints and (
            called.rpartition(".")[2] not in self.knowledge.pattern_constraints
        ):
            if called.rpartition(".")[2] in ("conint", "confloat", "condecimal", "conbool"):
                return frozenset()
            return None
        for keyword in call.keywords:
            if keyword.arg in ("pattern", "regex"):
                pattern = constant_string(keyword.value)
                if pattern is not None:
                    return self._pattern_families(pattern)
        return None

    def _pattern_families(self, pattern: str) -> frozenset[str]:
        try:
            compiled = re.compile(pattern)
        except re.error:
            return self.knowledge.families
        return frozenset(
            family
            for family, probes in self.knowledge.pattern_probes.items()
            if any(compiled.search(probe) for probe in probes)
        )

    def _named(self, node: ast.Name | ast.Attribute, depth: int) -> frozenset[str]:
        everything = self.knowledge.families
        name = dotted_name(node) or ""
        qualified = self.names.qualify(name)
        untainted = self.knowledge.untainted_types
        if name in untainted or qualified in untainted:
            return frozenset()
        if isinstance(node, ast.Name) and name in self.aliases:
            return self.families(self.aliases[name], depth + 1)
        cls = self.classes.get(name) if isinstance(node, ast.Name) else None
        if cls is None:
            return everything
        bases = {self._qualified(base) for base in cls.bases}
        bases |= {base.rpartition(".")[2] for base in bases}
        if bases & self.knowledge.enum_bases:
            return frozenset()
        fields = [item for item in cls.body if isinstance(item, ast.AnnAssign)]
        if not fields:
            return everything
        out: frozenset[str] = frozenset()
        for item in fields:
            annotation = item.annotation
            if isinstance(item.value, ast.Call):  # `x: str = Field(pattern=...)`
                constrained = self._constraint_call(item.value)
                families = self.families(annotation, depth + 1)
                out |= families & constrained if constrained is not None else families
            else:
                out |= self.families(annotation, depth + 1)
        return out

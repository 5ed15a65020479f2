"""What a tool's code does to its environment: the deletes and writes visible in its syntax tree.

`tool_effects` finds a tool's function (by the line FastMCP reports for it, so tools defined
inside factory functions are found too) and collects the calls listed in `data/effects.toml` beside
this module: file deletes and overwrites, writes, SQL statements by their verb, HTTP methods,
subprocesses by the program they run. It follows the calls the tool makes to functions of the
server's own code (module-level helpers, functions nested in the same factory, functions of the
server's other modules imported by name) up to `MAX_DEPTH` calls deep. What it cannot see: a
write through a callable passed as an argument or looked up at run time, a method of the
server's own classes, a statement built at run time from variables, code outside the server's
directory (a library's delete), and a subprocess whose program is not a literal.

Pure: it reads parsed modules it is given and `data/effects.toml` (package data).
"""

from __future__ import annotations

import ast
import re
import shlex
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from wagents.analysis.pyast import constant_string, dotted_name, walk_function_body

#: How many helper calls deep a tool's code is followed.
MAX_DEPTH = 3
#: Words in a tool's name that say it deletes (the name split at `_`, `-`, `.` and case changes).
DESTRUCTIVE_WORDS = ("delete", "remove", "drop", "purge", "destroy")

Function = ast.FunctionDef | ast.AsyncFunctionDef


@dataclass(frozen=True)
class Effect:
    """One call that changes the environment: its kind, what it does, where, and through which
    helpers the tool reaches it."""

    kind: str  # "destructive" (deletes or overwrites) or "write" (only adds)
    does: str
    call: str
    module: str
    line: int
    via: tuple[str, ...] = ()

    @property
    def destructive(self) -> bool:
        return self.kind == "destructive"

    def describe(self) -> str:
        """`deletes files (os.remove at helpers.py:12, through purge_all)`."""
        through = f", through {' → '.join(self.via)}" if self.via else ""
        return f"{self.does} ({self.call} at {self.module}:{self.line}{through})"


@dataclass(frozen=True)
class Module:
    """A parsed module of the server: its dotted name (`server`, `pkg.helpers`), a label for
    messages (`helpers.py`) and its tree."""

    name: str
    label: str
    tree: ast.Module
    #: Whether it is a package's `__init__` (relative imports then start at itself).
    package: bool = False


@dataclass(frozen=True)
class _Sinks:
    functions: dict[str, tuple[str, str]]  # dotted name → (kind, does)
    methods: dict[str, tuple[str, str]]
    method_prefixes: tuple[tuple[str, str, str], ...]
    http: dict[str, Any]
    sql: dict[str, Any]
    subprocess: dict[str, Any]


@cache
def _sinks() -> _Sinks:
    data = tomllib.loads(
        resources.files("wagents.analysis")
        .joinpath("data", "effects.toml")
        .read_text(encoding="utf-8")
    )
    functions = {
        name: (entry["kind"], entry["does"])
        for entry in data["functions"]
        for name in entry["names"]
    }
    methods = {
        name: (entry["kind"], entry["does"]) for entry in data["methods"] for name in entry["names"]
    }
    prefixes = tuple(
        (prefix, entry["kind"], entry["does"])
        for entry in data["methods"]
        for prefix in entry.get("prefixes", ())
    )
    return _Sinks(functions, methods, prefixes, data["http"], data["sql"], data["subprocess"])


def name_word(name: str) -> str | None:
    """The word of a tool's name that says it deletes (`delete_note` → `delete`), or None."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    words = {word.lower() for word in re.split(r"[^A-Za-z0-9]+", spaced) if word}
    return next((word for word in DESTRUCTIVE_WORDS if word in words), None)


def tool_effects(modules: Mapping[str, Module], module: str, line: int) -> list[Effect] | None:
    """The effects of the tool whose function is defined at `line` of `module` (a name of
    `modules`), or None when no function is defined there."""
    where = modules.get(module)
    if where is None:
        return None
    found = _function_at(where.tree, line)
    if found is None:
        return None
    function, enclosing = found
    walker = _Walker(modules)
    return walker.effects(where, function, enclosing, (), 0)


def _function_at(tree: ast.Module, line: int) -> tuple[Function, tuple[Function, ...]] | None:
    """The function whose `def` (or first decorator) is at `line`, with its enclosing functions."""

    def visit(
        node: ast.AST, enclosing: tuple[Function, ...]
    ) -> tuple[Function, tuple[Function, ...]] | None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                first = min([child.lineno, *(d.lineno for d in child.decorator_list)])
                if line in (first, child.lineno):
                    return child, enclosing
                inner = visit(child, (*enclosing, child))
            else:
                inner = visit(child, enclosing)
            if inner is not None:
                return inner
        return None

    return visit(tree, ())


@dataclass
class _Walker:
    modules: Mapping[str, Module]
    seen: set[int] = field(default_factory=set)

    def effects(
        self,
        module: Module,
        function: Function,
        enclosing: tuple[Function, ...],
        via: tuple[str, ...],
        depth: int,
    ) -> list[Effect]:
        if id(function) in self.seen:
            return []
        self.seen.add(id(function))
        aliases = _aliases(module.tree)
        found: list[Effect] = []
        for node in walk_function_body(function):
            if not isinstance(node, ast.Call):
                continue
            for kind, does, call in _call_effects(node, aliases, function, module.tree):
                found.append(Effect(kind, does, call, module.label, node.lineno, via))
            if depth >= MAX_DEPTH:
                continue
            target = self._resolve(node, module, function, enclosing)
            if target is not None:
                helper_module, helper, helper_enclosing = target
                found += self.effects(
                    helper_module, helper, helper_enclosing, (*via, helper.name), depth + 1
                )
        return found

    def _resolve(
        self, call: ast.Call, module: Module, function: Function, enclosing: tuple[Function, ...]
    ) -> tuple[Module, Function, tuple[Function, ...]] | None:
        """The server function `call` calls: nested in the same scopes, at module level, or
        imported from another module of the server."""
        func = call.func
        if isinstance(func, ast.Name):
            scopes = (*enclosing, function)
            for scope in reversed(scopes):
                for node in walk_function_body(scope):
                    if (
                        isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
                        and node.name == func.id
                    ):
                        index = scopes.index(scope)
                        return module, node, scopes[: index + 1]
            local = _module_function(module.tree, func.id)
            if local is not None:
                return module, local, ()
            imported = _imported_names(module).get(func.id)
            if imported is not None:
                return self._in_module(*imported)
        elif isinstance(func, ast.Attribute):
            owner = dotted_name(func.value)
            target = _imported_modules(module).get(owner or "")
            if target is not None:
                return self._in_module(target, func.attr)
        return None

    def _in_module(
        self, name: str, function_name: str
    ) -> tuple[Module, Function, tuple[Function, ...]] | None:
        other = self.modules.get(name)
        if other is None:
            return None
        found = _module_function(other.tree, function_name)
        return (other, found, ()) if found is not None else None


def _module_function(tree: ast.Module, name: str) -> Function | None:
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == name:
            return node
    return None


def _absolute(module: Module, level: int, name: str | None) -> str:
    """The dotted name a (possibly relative) `from X import` refers to, from `module`."""
    if not level:
        return name or ""
    parts = module.name.split(".")
    base = parts if module.package else parts[:-1]
    base = base[: len(base) - (level - 1)] if level > 1 else base
    return ".".join([*base, *([name] if name else [])])


def _imported_names(module: Module) -> dict[str, tuple[str, str]]:
    """`from helpers import purge as p` → {"p": ("helpers", "purge")}."""
    names: dict[str, tuple[str, str]] = {}
    for node in ast.walk(module.tree):
        if isinstance(node, ast.ImportFrom):
            source = _absolute(module, node.level, node.module)
            for alias in node.names:
                names[alias.asname or alias.name] = (source, alias.name)
    return names


def _imported_modules(module: Module) -> dict[str, str]:
    """Local names bound to modules: `import helpers`, `import pkg.db as db`, `from . import db`."""
    names: dict[str, str] = {}
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                names[alias.asname or alias.name] = alias.name
        elif isinstance(node, ast.ImportFrom):
            source = _absolute(module, node.level, node.module)
            for alias in node.names:
                names[alias.asname or alias.name] = (
                    f"{source}.{alias.name}" if source else alias.name
                )
    return names


def _aliases(tree: ast.Module) -> dict[str, str]:
    """Local name → the dotted name it stands for (`sh` → `shutil`, `rmtree` → `shutil.rmtree`)."""
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    aliases[alias.asname] = alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return aliases


def _qualified(node: ast.AST, aliases: Mapping[str, str]) -> str | None:
    name = dotted_name(node)
    if name is None:
        return None
    head, _, rest = name.partition(".")
    full = aliases.get(head, head)
    return f"{full}.{rest}" if rest else full


def _call_effects(
    call: ast.Call, aliases: Mapping[str, str], function: Function, tree: ast.Module
) -> Iterator[tuple[str, str, str]]:
    """(kind, what it does, the call as written) for each effect of one call."""
    sinks = _sinks()
    name = _qualified(call.func, aliases)
    written = _written(call.func)
    if name in sinks.functions:
        kind, does = sinks.functions[name]
        yield kind, does, written
        return
    if name in ("open", "io.open", "builtins.open") or (
        isinstance(call.func, ast.Attribute) and call.func.attr == "open" and name != "os.open"
    ):
        positional = 1 if name in ("open", "io.open", "builtins.open") else 0
        yield from _open_effect(call, positional, written)
        return
    if name == "os.open":
        yield from _os_open_effect(call, written)
        return
    if name is not None and name in sinks.subprocess["functions"]:
        yield from _subprocess_effect(call, name, written)
        return
    sql_call = isinstance(call.func, ast.Attribute) and call.func.attr in sinks.sql["methods"]
    if sql_call and call.args:
        yield from _sql_effect(call.args[0], function, tree, written)
        return
    if isinstance(call.func, ast.Attribute):
        yield from _method_effect(call, call.func, written)


def _method_effect(
    call: ast.Call, func: ast.Attribute, written: str
) -> Iterator[tuple[str, str, str]]:
    sinks = _sinks()
    attr = func.attr
    receiver = _receiver_name(func.value)
    http = sinks.http
    if attr == "request" and call.args:
        method = (constant_string(call.args[0]) or "").lower()
        if method in http["destructive"] or method in http["write"]:
            kind = "destructive" if method in http["destructive"] else "write"
            yield kind, f"sends an HTTP {method.upper()}", written
        return
    looks_http = any(hint in receiver.lower() for hint in http["receivers"])
    if looks_http and attr in (*http["destructive"], *http["write"]) and attr != "delete":
        kind = "destructive" if attr in http["destructive"] else "write"
        yield kind, f"sends an HTTP {attr.upper()}", written
        return
    if attr in sinks.methods:
        kind, does = sinks.methods[attr]
        yield kind, (f"{does} {receiver}" if does.endswith("through") else does), written
        return
    for prefix, kind, does in sinks.method_prefixes:
        if attr.startswith(prefix):
            yield kind, (f"{does} {receiver}" if does.endswith("through") else does), written
            return


def _written(func: ast.expr) -> str:
    """The called expression as a reader knows it: `os.remove`, `Path(...).write_text`."""
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Call):
        return f"{dotted_name(func.value.func) or '...'}(...).{func.attr}"
    return dotted_name(func) or (func.attr if isinstance(func, ast.Attribute) else "a call")


def _receiver_name(node: ast.AST) -> str:
    """A name for what a method is called on (`client`, `httpx.AsyncClient`, `Path`)."""
    if isinstance(node, ast.Call):
        node = node.func
    return dotted_name(node) or "an object"


def _mode(call: ast.Call, positional: int) -> str | None:
    for keyword in call.keywords:
        if keyword.arg == "mode":
            return constant_string(keyword.value)
    if len(call.args) > positional:
        return constant_string(call.args[positional])
    return "r"


def _open_effect(call: ast.Call, positional: int, written: str) -> Iterator[tuple[str, str, str]]:
    mode = _mode(call, positional)
    if mode is None:
        return
    if "w" in mode or ("+" in mode and "a" not in mode and "x" not in mode):
        yield "destructive", f"opens a file to overwrite it (mode {mode!r})", written
    elif "a" in mode or "x" in mode:
        yield "write", f"opens a file to write (mode {mode!r})", written


def _os_open_effect(call: ast.Call, written: str) -> Iterator[tuple[str, str, str]]:
    flags = {
        node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")
        for node in ast.walk(call)
    }
    if "O_TRUNC" in flags:
        yield "destructive", "opens a file to overwrite it (O_TRUNC)", written
    elif flags & {"O_WRONLY", "O_RDWR", "O_CREAT", "O_APPEND"}:
        yield "write", "opens a file to write", written


def _subprocess_effect(call: ast.Call, name: str, written: str) -> Iterator[tuple[str, str, str]]:
    rules = _sinks().subprocess
    argv: list[str | None]
    if name == "asyncio.create_subprocess_exec":
        argv = [constant_string(arg) for arg in call.args]
    elif not call.args:
        return
    elif isinstance(call.args[0], ast.List | ast.Tuple):
        argv = [constant_string(item) for item in call.args[0].elts]
    else:
        text = constant_string(call.args[0])
        if text is None:
            return
        try:
            argv = list(shlex.split(text))
        except ValueError:
            return
    if not argv or argv[0] is None:
        return
    program = argv[0].rsplit("/", 1)[-1]
    if program == "git":
        sub = _git_subcommand(argv[1:])
        if sub in rules["git_destructive"]:
            yield "destructive", f"runs `git {sub}`", written
        elif sub in rules["git_write"]:
            yield "write", f"runs `git {sub}`", written
        return
    if program in rules["destructive"]:
        yield "destructive", f"runs `{program}`", written
    elif program in rules["write"]:
        yield "write", f"runs `{program}`", written


def _git_subcommand(arguments: list[str | None]) -> str | None:
    """The subcommand of `git [-C dir] [-c k=v] SUB ...` (None when not a literal)."""
    skip_next = False
    for argument in arguments:
        if skip_next:
            skip_next = False
            continue
        if argument is None:
            return None
        if argument in ("-C", "-c", "--git-dir", "--work-tree"):
            skip_next = True
            continue
        if argument.startswith("-"):
            continue
        return argument
    return None


_SQL_COMMENT = re.compile(r"--[^\n]*|/\*.*?\*/", re.DOTALL)
_SQL_STRING = re.compile(r"'(?:[^']|'')*'")
_SQL_WORD = re.compile(r"[A-Za-z_]+")


def _sql_effect(
    argument: ast.expr, function: Function, tree: ast.Module, written: str
) -> Iterator[tuple[str, str, str]]:
    rules = _sinks().sql
    statement = _string_value(argument, function, tree)
    if statement is None:
        return
    for verb in _sql_verbs(statement):
        if verb in rules["destructive"]:
            yield "destructive", f"runs SQL {verb}", written
            return
        if verb in rules["write"]:
            yield "write", f"runs SQL {verb}", written
            return


def _sql_verbs(statement: str) -> Iterator[str]:
    """The verb of each statement (`DELETE`, `SELECT`); a `WITH` query's main verb is the first
    data-changing word after it, if any."""
    cleaned = _SQL_STRING.sub("''", _SQL_COMMENT.sub(" ", statement))
    rules = _sinks().sql
    changing = {*rules["destructive"], *rules["write"]}
    for part in cleaned.split(";"):
        words = [word.upper() for word in _SQL_WORD.findall(part)]
        if not words:
            continue
        if words[0] == "WITH":
            yield next((word for word in words[1:] if word in changing), "SELECT")
        else:
            yield words[0]


def _string_value(
    node: ast.AST, function: Function, tree: ast.Module, depth: int = 0
) -> str | None:
    """The text of a string expression as far as literals tell it: constants, f-strings (values
    become `?`), `+`, `"...".format(...)`, and names assigned one of those in the function or at
    module level."""
    if depth > 5:
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            part.value if isinstance(part, ast.Constant) and isinstance(part.value, str) else "?"
            for part in node.values
        )
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left = _string_value(node.left, function, tree, depth + 1)
        right = _string_value(node.right, function, tree, depth + 1)
        return left + right if left is not None and right is not None else left
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "format"
    ):
        return _string_value(node.func.value, function, tree, depth + 1)
    wrappers = _sinks().sql["functions"]
    if isinstance(node, ast.Call) and node.args and (dotted_name(node.func) or "") in wrappers:
        return _string_value(node.args[0], function, tree, depth + 1)  # text("DELETE ...")
    if isinstance(node, ast.Name):
        for scope in (list(walk_function_body(function)), tree.body):
            for statement in scope:
                if (
                    isinstance(statement, ast.Assign)
                    and any(isinstance(t, ast.Name) and t.id == node.id for t in statement.targets)
                ) or (
                    isinstance(statement, ast.AnnAssign)
                    and isinstance(statement.target, ast.Name)
                    and statement.target.id == node.id
                    and statement.value is not None
                ):
                    value = statement.value
                    assert value is not None
                    return _string_value(value, function, tree, depth + 1)
    return None

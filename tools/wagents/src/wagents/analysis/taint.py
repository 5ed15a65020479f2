"""Taint analysis of a module: where the text a caller passes to a tool reaches a dangerous call.

An abstract interpreter walks each component (components.py) with its parameters as sources and
computes a `Value` (values.py) for every expression:

- Propagation: assignments (tuple unpacking included), f-strings, `+`, `%`-formatting,
  `.format`, `str.join`, containers (lists, tuples, sets, dicts, comprehensions), attribute and
  subscript access (a subscript is as tainted as its container: a lookup in a literal dict is
  clean), iteration, `with ... as`, mutation (`args.append(x)` taints `args`), calls of unknown
  functions (their result carries their arguments' text: `os.path.join`, `Path`, `str.strip`,
  `json.loads`, ...), but not the result of a sink or blocking call (a query's rows, a response,
  a file's content, a process's output come from elsewhere), and calls of the module's own functions
  (and a factory's nested ones), which are analyzed with the arguments' values, three calls deep:
  sinks inside them are found, and their return value is what they return. Calls through
  `asyncio.to_thread`, `run_in_executor`, `anyio.to_thread.run_sync` and `functools.partial` are
  calls of the function they are given.
- Sanitizers end the taint (all of it, or the families they protect against): `int`, `float`,
  `bool`, `shlex.quote` (command), `urllib.parse.quote` (url); a membership check against a
  literal collection (`if name not in ALLOWED: raise`, `if mode in ("a", "b"): ...`, also on
  `name.lower()`, in a comprehension's `if`, and for every item after `for c in cols: if c not
  in ALLOWED: raise`), an equality with a constant; `Path.resolve()`/`os.path.realpath()`
  followed by `is_relative_to`, `relative_to`, `base in p.parents` or `os.path.commonpath`
  (path; `p.resolve().is_relative_to(base)` checks `p` too); a host allowlist
  (`urlparse(url).hostname in ALLOWED`, `url.startswith("https://api.example.com/")`) (url);
  and the parameter's own type (components.py).
- Checks are understood in `if`/`elif`/`assert`/conditional expressions: the checked branch is
  clean, and after `if not ok: raise` (or return, continue, break) the rest of the block is.

What it does not see: code in other modules of the server (imports of its own helpers), methods
of classes, dynamic dispatch (`getattr`, dicts of functions), checks made by a helper that
returns a boolean, regular-expression checks in code (a parameter's `pattern=` does count),
values stored in globals or on objects by one call and read by another, any library not in
data/sinks.toml, and expressions nested deeper than Python's recursion limit lets it follow (such
a component is skipped, listed in `ModuleReport.skipped`).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from wagents.analysis import sinks as sinkmatch
from wagents.analysis.components import Component, FunctionNode, Scopes, find_components
from wagents.analysis.knowledge import Knowledge, knowledge
from wagents.analysis.names import ImportNames
from wagents.analysis.pyast import constant_string, dotted_name, nodes
from wagents.analysis.values import (
    CLEAN,
    UNKNOWN,
    Value,
    concat,
    constant,
    derived,
    host_fixed,
    join,
    source,
    without,
)

#: How many calls deep the module's own functions are followed.
MAX_DEPTH = 3
#: Methods that add their arguments to the object they are called on.
MUTATORS = frozenset({"append", "extend", "insert", "add", "update", "setdefault", "appendleft"})
#: Builtins that build a collection from their argument (a literal one stays literal).
COLLECTION_BUILDERS = frozenset({"frozenset", "set", "tuple", "list", "dict", "sorted"})

Env = dict[str, Value]


@dataclass(frozen=True)
class Flow:
    """Caller text that reaches a sink: from which parameters of which component, to what."""

    rule: str
    family: str
    component: str
    parameters: tuple[str, ...]
    sink: str
    what: str
    line: int
    via: tuple[str, ...]


@dataclass(frozen=True)
class Blocking:
    """A blocking call an async component makes, directly or through the module's functions.

    `line` is the call in the component itself; `call_line` the blocking call (in a helper when
    `via` names one).
    """

    component: str
    call: str
    line: int
    call_line: int
    via: tuple[str, ...]


@dataclass(frozen=True)
class StdoutWrite:
    """A write to stdout a component reaches: where it is and through which helpers."""

    component: str
    call: str
    line: int
    via: tuple[str, ...]


@dataclass(frozen=True)
class ModuleReport:
    """What the analysis found in one module."""

    components: tuple[Component, ...]
    flows: tuple[Flow, ...]
    blocking: tuple[Blocking, ...]
    stdout: tuple[StdoutWrite, ...]
    #: Lines that configure a logging handler on stdout (anywhere in the module).
    stdout_handlers: tuple[int, ...]
    #: Components (or "module-level code") whose expressions nest deeper than Python's recursion
    #: limit lets the interpreter follow: not analyzed.
    skipped: tuple[str, ...] = ()


def analyze(module: ast.Module, facts: Knowledge | None = None) -> ModuleReport:
    """The components of `module` and the flows, blocking calls and stdout writes they reach."""
    return _Analyzer(module, facts or knowledge()).run()


@dataclass
class _Events:
    flows: dict[tuple[str, int, str], Flow] = field(default_factory=dict)
    blocking: dict[tuple[str, int, str], Blocking] = field(default_factory=dict)
    stdout: dict[tuple[str, int], StdoutWrite] = field(default_factory=dict)


class _Analyzer:
    def __init__(self, module: ast.Module, facts: Knowledge) -> None:
        self.module = module
        self.k = facts
        self.names = ImportNames.of(module)
        self.scopes = Scopes.of(module)
        self.events = _Events()
        self.memo: dict[tuple[object, ...], Value] = {}
        self.scope_envs: dict[int, Env] = {}
        self.module_env: Env = {}  # while the module's own code runs (it may call helpers)
        self.skipped: list[str] = []
        quiet = _Frame(self, None, None, quiet=True)
        try:
            self.module_env = quiet.block(module.body, {}) or {}
        except RecursionError:  # expressions nested deeper than the interpreter can follow
            self.module_env = {}
            self.skipped.append("module-level code")

    def run(self) -> ModuleReport:
        components = find_components(self.module, self.names, self.scopes, self.k)
        for component in components:
            env = self.base_env(component.function)
            for parameter in component.parameters:
                env[parameter.name] = source(parameter.families, parameter.name)
            frame = _Frame(
                self,
                component.function,
                component,
                in_loop=component.is_async or not component.run_in_thread,
            )
            try:
                frame.block(component.function.body, env)
            except RecursionError:
                self.skipped.append(component.label)
        return ModuleReport(
            components=components,
            flows=tuple(sorted(self.events.flows.values(), key=lambda f: (f.line, f.rule))),
            blocking=tuple(sorted(self.events.blocking.values(), key=lambda b: b.line)),
            stdout=tuple(sorted(self.events.stdout.values(), key=lambda s: s.line)),
            stdout_handlers=tuple(self._stdout_handlers()),
            skipped=tuple(self.skipped),
        )

    def base_env(self, function: FunctionNode) -> Env:
        """The names a function sees before its own code runs: module-level ones, then those of
        the functions enclosing it (a factory's `root = Path(...)`), evaluated without taint."""
        env = dict(self.module_env)
        for outer in self.scopes.chain(function):
            env.update(self._scope_env(outer))
        return env

    def _scope_env(self, function: FunctionNode) -> Env:
        key = id(function)
        if key not in self.scope_envs:
            self.scope_envs[key] = {}  # a recursive factory sees nothing of itself
            env = self.base_env(function)
            quiet = _Frame(self, function, None, quiet=True)
            try:
                self.scope_envs[key] = quiet.block(function.body, env) or env
            except RecursionError:
                self.scope_envs[key] = env
        return self.scope_envs[key]

    def _stdout_handlers(self) -> Iterator[int]:
        for node in nodes(self.module):
            if not isinstance(node, ast.Call):
                continue
            name = self.names.qualify(dotted_name(node.func) or "")
            if name not in self.k.stdout_handlers:
                continue
            streams = [k.value for k in node.keywords if k.arg == self.k.stdout_stream_keyword]
            if name.endswith("StreamHandler") and node.args:
                streams.append(node.args[0])
            if any(self._is_stdout(stream) for stream in streams):
                yield node.lineno

    def _is_stdout(self, node: ast.expr) -> bool:
        name = dotted_name(node)
        return name is not None and self.names.qualify(name) in self.k.stdout_streams


class _Frame:
    """One function being interpreted, for one component (None: quiet, module-level code)."""

    def __init__(
        self,
        analyzer: _Analyzer,
        function: FunctionNode | None,
        component: Component | None,
        *,
        quiet: bool = False,
        in_loop: bool = False,
        via: tuple[str, ...] = (),
        depth: int = 0,
        root_line: int | None = None,
    ) -> None:
        self.a = analyzer
        self.k = analyzer.k
        self.function = function
        self.component = component
        self.quiet = quiet or component is None
        self.in_loop = in_loop
        self.via = via
        self.depth = depth
        self.root_line = root_line
        self.returns: Value | None = None

    # -- statements ------------------------------------------------------------------------------

    def block(self, body: list[ast.stmt], env: Env) -> Env | None:
        """Interpret statements; the environment after them, or None when every path left."""
        current: Env | None = env
        for node in body:
            if current is None:
                return None
            current = self.statement(node, current)
        return current

    def statement(self, node: ast.stmt, env: Env) -> Env | None:
        match node:
            case ast.Assign(targets=targets, value=value):
                result = self.expr(value, env)
                for target in targets:
                    self.bind(target, result, env, value)
            case ast.AnnAssign(target=target, value=value) if value is not None:
                self.bind(target, self.expr(value, env), env, value)
            case ast.AugAssign(target=target, op=op, value=value):
                current = self.expr(target, env)
                added = self.expr(value, env)
                combined = (
                    concat(current, added)
                    if isinstance(op, ast.Add) and current.head is None
                    else _merge_into(current, added)
                )
                self.bind(target, combined, env, None)
            case ast.Expr(value=value):
                self.expr(value, env)
            case ast.Return(value=value):
                result = self.expr(value, env) if value is not None else CLEAN
                self.returns = result if self.returns is None else join(self.returns, result)
                return None
            case ast.Raise(exc=exc):
                if exc is not None:
                    self.expr(exc, env)
                return None
            case ast.Continue() | ast.Break():
                return None
            case ast.Assert(test=test):
                self.expr(test, env)
                return self.guarded(test, env)[0]
            case ast.FunctionDef() | ast.AsyncFunctionDef() | ast.ClassDef():
                env[node.name] = CLEAN
            case (
                ast.Delete()
                | ast.Pass()
                | ast.Global()
                | ast.Nonlocal()
                | ast.Import()
                | ast.ImportFrom()
            ):
                pass
            case _:
                return self.compound(node, env)
        return env

    def compound(self, node: ast.stmt, env: Env) -> Env | None:
        """if, for, while, with, try, match (and any other statement: its expressions)."""
        match node:
            case ast.If(test=test, body=body, orelse=orelse):
                self.expr(test, env)
                if_true, if_false = self.guarded(test, env)
                after_body = self.block(body, if_true)
                after_else = self.block(orelse, if_false) if orelse else if_false
                return _merge(after_body, after_else)
            case (
                ast.For(target=target, iter=iterable, body=body, orelse=orelse)
                | ast.AsyncFor(target=target, iter=iterable, body=body, orelse=orelse)
            ):
                return self.loop(target, iterable, body, orelse, env)
            case ast.While(test=test, body=body, orelse=orelse):
                self.expr(test, env)
                inside = dict(env)
                for _ in range(2):
                    if_true, _false = self.guarded(test, inside)
                    inside = _merge(inside, self.block(body, if_true)) or inside
                after = _merge(env, inside) or env
                return self.block(orelse, after) if orelse else after
            case ast.With(items=items, body=body) | ast.AsyncWith(items=items, body=body):
                for item in items:
                    entered = self.expr(item.context_expr, env)
                    if item.optional_vars is not None:
                        self.bind(item.optional_vars, entered, env, None)
                return self.block(body, env)
            case (
                ast.Try(body=body, handlers=handlers, orelse=orelse, finalbody=final)
                | ast.TryStar(body=body, handlers=handlers, orelse=orelse, finalbody=final)
            ):
                return self.attempt(body, handlers, orelse, final, env)
            case ast.Match(subject=subject, cases=cases):
                self.expr(subject, env)
                key = _key(subject)
                result = env
                for case in cases:
                    inside = dict(env)
                    if key is not None and key in inside and _literal_pattern(case.pattern):
                        inside[key] = without(inside[key], self.k.families)
                    if case.guard is not None:
                        self.expr(case.guard, inside)
                    result = _merge(result, self.block(case.body, inside)) or result
                return result
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr):
                self.expr(child, env)
        return env

    def attempt(
        self,
        body: list[ast.stmt],
        handlers: list[ast.ExceptHandler],
        orelse: list[ast.stmt],
        final: list[ast.stmt],
        env: Env,
    ) -> Env | None:
        """try/except/else/finally: a handler may start from any point of the body."""
        after_body = self.block(body, dict(env))
        outcomes = [self.block(orelse, after_body) if orelse and after_body else after_body]
        seen = _merge(env, after_body) or env
        for handler in handlers:
            outcomes.append(self.block(handler.body, dict(seen)))
        result: Env | None = None
        for outcome in outcomes:
            result = _merge(result, outcome) if result is not None else outcome
        if final:
            finished = self.block(final, dict(result if result is not None else seen))
            return None if finished is None or result is None else finished
        return result

    def loop(
        self,
        target: ast.expr,
        iterable: ast.expr,
        body: list[ast.stmt],
        orelse: list[ast.stmt],
        env: Env,
    ) -> Env | None:
        items = self.expr(iterable, env)
        inside = dict(env)
        for _ in range(2):  # twice: what one iteration taints, the next one sees
            self.bind(target, _element(items), inside, None)
            inside = _merge(inside, self.block(body, dict(inside))) or inside
        after = _merge(env, inside) or env
        # `for c in cols: if c not in ALLOWED: raise` checks every item of cols.
        key = _key(iterable)
        if key is not None and isinstance(target, ast.Name):
            for statement in body:
                if isinstance(statement, ast.If) and _leaves(statement.body):
                    for name, families in self.checks(statement.test, False, inside):
                        if name == target.id and key in after:
                            after[key] = without(after[key], families)
        return self.block(orelse, after) if orelse else after

    def bind(self, target: ast.expr, value: Value, env: Env, source_node: ast.expr | None) -> None:
        match target:
            case ast.Name(id=name):
                env[name] = value
            case ast.Tuple(elts=elts) | ast.List(elts=elts):
                if isinstance(source_node, ast.Tuple | ast.List) and len(source_node.elts) == len(
                    elts
                ):
                    for item, node in zip(elts, source_node.elts, strict=True):
                        self.bind(item, self.expr(node, env), env, node)
                else:
                    for item in elts:
                        self.bind(item, _element(value), env, None)
            case ast.Starred(value=inner):
                self.bind(inner, value, env, None)
            case ast.Attribute(value=base) | ast.Subscript(value=base):
                key = _key(target) if isinstance(target, ast.Attribute) else None
                if key is not None:
                    env[key] = value
                base_key = _key(base)
                if base_key is not None and value.tainted:
                    env[base_key] = _merge_into(self.expr(base, env), value)
            case _:
                pass

    # -- checks (sanitizers in conditions) -------------------------------------------------------

    def guarded(self, test: ast.expr, env: Env) -> tuple[Env, Env]:
        """The environments where `test` is true and where it is false."""
        return self._apply(env, self.checks(test, True, env)), self._apply(
            env, self.checks(test, False, env)
        )

    def _apply(self, env: Env, facts: list[tuple[str, frozenset[str]]]) -> Env:
        if not facts:
            return env
        out = dict(env)
        for name, families in facts:
            if name in out:
                out[name] = without(out[name], families)
        return out

    def checks(self, test: ast.expr, truth: bool, env: Env) -> list[tuple[str, frozenset[str]]]:
        """(name, families) that `test` being `truth` ends."""
        everything = self.k.families
        match test:
            case ast.UnaryOp(op=ast.Not(), operand=operand):
                return self.checks(operand, not truth, env)
            case ast.BoolOp(op=ast.And(), values=values) if truth:
                return [fact for value in values for fact in self.checks(value, True, env)]
            case ast.BoolOp(op=ast.Or(), values=values) if not truth:
                return [fact for value in values for fact in self.checks(value, False, env)]
            case ast.Compare(left=left, ops=[op], comparators=[right]):
                return self._compare(left, op, right, truth, env)
            case ast.Call(func=ast.Attribute(value=subject, attr=attr), args=args) if truth:
                if attr == "issubset" and args and self._value(args[0], env).collection:
                    return [(k, everything) for k in self._set_of(subject)]
                if attr in self.k.containment_methods:
                    return self._contained(subject, env)
                key = _key(subject)
                if key is None:
                    return []
                if attr == "startswith" and args and self._host_prefixes(args[0], env):
                    return [(key, frozenset({"url"}))]
            case ast.Call(func=ast.Name(id="all"), args=[ast.GeneratorExp() as gen]) if truth:
                return self._quantified(gen, True, env)
            case ast.Call(func=ast.Name(id="any"), args=[ast.GeneratorExp() as gen]) if not truth:
                return self._quantified(gen, False, env)
        return []

    def _quantified(
        self, gen: ast.GeneratorExp, truth: bool, env: Env
    ) -> list[tuple[str, frozenset[str]]]:
        """`all(c in ALLOWED for c in cols)` (true) / `any(c not in ALLOWED ...)` (false)."""
        if len(gen.generators) != 1:
            return []
        comprehension = gen.generators[0]
        key = _key(comprehension.iter)
        if key is None or not isinstance(comprehension.target, ast.Name):
            return []
        item = comprehension.target.id
        return [
            (key, families) for name, families in self.checks(gen.elt, truth, env) if name == item
        ]

    def _compare(
        self, left: ast.expr, op: ast.cmpop, right: ast.expr, truth: bool, env: Env
    ) -> list[tuple[str, frozenset[str]]]:
        everything = self.k.families
        inside = (isinstance(op, ast.In) and truth) or (isinstance(op, ast.NotIn) and not truth)
        equal = (isinstance(op, ast.Eq) and truth) or (isinstance(op, ast.NotEq) and not truth)
        if inside:
            container = self._value(right, env)
            if container.collection:
                return self._pinned(left, env, everything)
            # `base in path.parents`
            if isinstance(right, ast.Attribute) and right.attr == "parents":
                return self._contained(right.value, env)
        if equal:
            for one, other in ((left, right), (right, left)):
                if isinstance(other, ast.Constant):
                    return self._pinned(one, env, everything)
                contained = self._commonpath(one, other, env)
                if contained:
                    return contained
        if isinstance(op, ast.LtE | ast.Lt) and truth and self._value(right, env).collection:
            return [(k, everything) for k in self._set_of(left)]
        return []

    def _pinned(
        self, subject: ast.expr, env: Env, families: frozenset[str]
    ) -> list[tuple[str, frozenset[str]]]:
        """The names a check on `subject` pins (through `.lower()` and friends, and a parsed
        URL's host, which pins the URL's host)."""
        while (
            isinstance(subject, ast.Call)
            and isinstance(subject.func, ast.Attribute)
            and subject.func.attr in self.k.transparent_methods
        ):
            subject = subject.func.value
        out = []
        key = _key(subject)
        if key is not None:
            out.append((key, families))
            host_of = self._value(subject, env).host_of
            if host_of is not None:
                out.append((host_of, frozenset({"url"})))
        if isinstance(subject, ast.Attribute) and subject.attr in self.k.host_attributes:
            parsed = subject.value
            parsed_key = _key(parsed)
            parsed_from = self._value(parsed, env).parsed_from
            if parsed_from is not None:
                out.append((parsed_from, frozenset({"url"})))
            elif isinstance(parsed, ast.Call) and parsed.args:
                called = self.a.names.qualify(dotted_name(parsed.func) or "")
                url_key = _key(parsed.args[0])
                if called in self.k.url_parsers and url_key is not None:
                    out.append((url_key, frozenset({"url"})))
            if parsed_key is not None:
                out.append((parsed_key, frozenset({"url"})))
        return out

    def _commonpath(
        self, one: ast.expr, other: ast.expr, env: Env
    ) -> list[tuple[str, frozenset[str]]]:
        """`os.path.commonpath([base, path]) == base`: the resolved paths listed are contained."""
        if not isinstance(one, ast.Call) or not one.args:
            return []
        called = self.a.names.qualify(dotted_name(one.func) or "")
        if called not in self.k.commonpath or not isinstance(one.args[0], ast.List | ast.Tuple):
            return []
        base = _key(other)
        return [
            fact
            for item in one.args[0].elts
            for fact in self._contained(item, env)
            if fact[0] != base
        ]

    def _contained(self, path: ast.expr, env: Env) -> list[tuple[str, frozenset[str]]]:
        """What a containment check on `path` pins: the name of a resolved path, or the name a
        resolving call is applied to (`p.resolve().is_relative_to(ROOT)` checks `p`)."""
        key = _key(path)
        if key is not None:
            return [(key, frozenset({"path"}))] if self._value(path, env).resolved else []
        if not isinstance(path, ast.Call):
            return []
        if isinstance(path.func, ast.Attribute) and path.func.attr == "resolve":
            inner: ast.expr | None = path.func.value
        else:
            called = self.a.names.qualify(dotted_name(path.func) or "")
            inner = path.args[0] if called in self.k.resolving and path.args else None
        inner_key = _key(inner) if inner is not None else None
        return [(inner_key, frozenset({"path"}))] if inner_key is not None else []

    def _set_of(self, node: ast.expr) -> list[str]:
        """`set(cols)` / `cols` -> ["cols"]."""
        if isinstance(node, ast.Call) and node.args and isinstance(node.func, ast.Name):
            node = node.args[0]
        key = _key(node)
        return [key] if key is not None else []

    def _host_prefixes(self, node: ast.expr, env: Env) -> bool:
        """A literal prefix (or a literal collection of them) that settles the scheme and host
        of a URL (`"https://api.example.com/"`; without the slash, `.example.com.evil` passes)."""
        value = self._value(node, env)
        texts: list[str | None]
        if value.items is not None:
            texts = list(value.items)
        elif value.whole and UNKNOWN not in value.lead and not value.collection:
            texts = [value.lead]
        else:
            return False
        return bool(texts) and all(
            text is not None and "://" in text and host_fixed(text) for text in texts
        )

    def _value(self, node: ast.expr, env: Env) -> Value:
        """The value of a simple expression, with no events (for checks)."""
        key = _key(node)
        if key is not None and key in env:
            return env[key]
        quiet = _Frame(self.a, self.function, None, quiet=True)
        return quiet.expr(node, dict(env))

    # -- expressions -----------------------------------------------------------------------------

    def expr(self, node: ast.expr, env: Env) -> Value:
        match node:
            case ast.Constant(value=value):
                return constant(value) if isinstance(value, str) else CLEAN
            case ast.Name(id=name):
                return env.get(name, CLEAN)
            case ast.JoinedStr(values=parts):
                result = constant("")
                for part in parts:
                    if isinstance(part, ast.FormattedValue):
                        result = concat(result, _as_text(self.expr(part.value, env)))
                    else:
                        result = concat(result, self.expr(part, env))
                return result
            case ast.BinOp(left=left, op=op, right=right):
                return self._binop(left, op, right, env)
            case ast.Call():
                return self.call(node, env)
            case ast.Attribute(value=base, attr=attr):
                key = _key(node)
                if key is not None and key in env:
                    return env[key]
                owner = self.expr(base, env)
                kind = (
                    owner.kind
                    if owner.kind and attr in self.k.kind_attributes.get(owner.kind, ())
                    else None
                )
                out = derived(owner, kind=kind)
                if attr in self.k.host_attributes and owner.parsed_from is not None:
                    out = replace(out, host_of=owner.parsed_from)
                if owner.resolved and kind is not None:
                    out = replace(out, resolved=True)
                return out
            case ast.Subscript(value=base, slice=index):
                container = self.expr(base, env)
                self.expr(index, env)
                if container.collection or not container.tainted:
                    return CLEAN
                return _element(container)
            case ast.List(elts=elts) | ast.Tuple(elts=elts) | ast.Set(elts=elts):
                return self._sequence(elts, env)
            case ast.Dict(keys=dict_keys, values=dict_values):
                entries = [self.expr(k, env) for k in dict_keys if k is not None]
                entries += [self.expr(v, env) for v in dict_values]
                out = derived(*entries)
                if _literal(node):
                    out = replace(out, collection=True)
                return out
        return self.composite(node, env)

    def composite(self, node: ast.expr, env: Env) -> Value:
        """Comprehensions, conditions, operators, await/yield, walrus, lambda."""
        match node:
            case (
                ast.ListComp(elt=elt, generators=generators)
                | ast.SetComp(elt=elt, generators=generators)
                | ast.GeneratorExp(elt=elt, generators=generators)
            ):
                inner = self._comprehension(generators, env)
                return derived(self.expr(elt, inner))
            case ast.DictComp(key=key, value=value, generators=generators):
                inner = self._comprehension(generators, env)
                return derived(self.expr(key, inner), self.expr(value, inner))
            case ast.IfExp(test=test, body=body, orelse=orelse):
                self.expr(test, env)
                if_true, if_false = self.guarded(test, env)
                return join(self.expr(body, if_true), self.expr(orelse, if_false))
            case ast.BoolOp(values=values):
                result = self.expr(values[0], env)
                for value in values[1:]:
                    result = join(result, self.expr(value, env))
                return result
            case ast.Compare(left=left, comparators=comparators):
                self.expr(left, env)
                for comparator in comparators:
                    self.expr(comparator, env)
                return CLEAN
            case ast.UnaryOp(op=ast.Not(), operand=operand):
                self.expr(operand, env)
                return CLEAN
            case ast.UnaryOp(operand=operand):
                return derived(self.expr(operand, env))
            case ast.Await(value=value) | ast.Starred(value=value) | ast.YieldFrom(value=value):
                return self.expr(value, env)
            case ast.Yield(value=value):
                return self.expr(value, env) if value is not None else CLEAN
            case ast.NamedExpr(target=target, value=value):
                result = self.expr(value, env)
                self.bind(target, result, env, value)
                return result
            case ast.Lambda(body=body):
                inner = dict(env)
                for arg in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs):
                    inner[arg.arg] = CLEAN
                lambda_frame = self._child_frame(in_loop=False)
                lambda_frame.expr(body, inner)
                return CLEAN
            case ast.FormattedValue(value=value):
                return _as_text(self.expr(value, env))
        return CLEAN

    def _child_frame(self, *, in_loop: bool) -> _Frame:
        return _Frame(
            self.a,
            self.function,
            self.component,
            quiet=self.quiet,
            in_loop=in_loop,
            via=self.via,
            depth=self.depth,
            root_line=self.root_line,
        )

    def _binop(self, left: ast.expr, op: ast.operator, right: ast.expr, env: Env) -> Value:
        first, second = self.expr(left, env), self.expr(right, env)
        if isinstance(op, ast.Add):
            if first.head is not None:  # list + list: the first list's program stays
                return replace(_merge_into(first, second), head=first.head)
            return concat(first, second)
        if (
            isinstance(op, ast.Mod)
            and isinstance(left, ast.Constant)
            and isinstance(left.value, str)
        ):
            prefix = left.value.split("%", 1)[0]
            return concat(
                constant(prefix),
                replace(derived(first, second), lead="", whole=False)
                if (first.tainted or second.tainted)
                else derived(first, second),
            )
        if isinstance(op, ast.Div):
            kind = "pathlib.Path" if "pathlib.Path" in (first.kind, second.kind) else None
            kind = kind or ("anyio.Path" if "anyio.Path" in (first.kind, second.kind) else None)
            return derived(first, second, kind=kind)
        return derived(first, second)

    def _sequence(self, elts: list[ast.expr], env: Env) -> Value:
        values = [self.expr(item, env) for item in elts]
        out = derived(*values)
        if values and not isinstance(elts[0], ast.Starred):
            out = replace(out, head=values[0])
        elif values:
            out = replace(out, head=values[0].head)
        if _literal_items(elts):
            strings = tuple(
                item.value
                for item in elts
                if isinstance(item, ast.Constant) and isinstance(item.value, str)
            )
            out = replace(
                out, collection=True, items=strings if len(strings) == len(elts) else None
            )
        if self._runs_script(elts):
            out = replace(out, script=True)
        return out

    def _runs_script(self, elts: list[ast.expr]) -> bool:
        program = constant_string(elts[0]) if elts else None
        if program is None or program.rpartition("/")[2] not in self.k.interpreters:
            return False
        return any(constant_string(item) in self.k.script_flags for item in elts[1:])

    def _comprehension(self, generators: list[ast.comprehension], env: Env) -> Env:
        inner = dict(env)
        for generator in generators:
            items = self.expr(generator.iter, inner)
            self.bind(generator.target, _element(items), inner, None)
            for condition in generator.ifs:
                self.expr(condition, inner)
                inner = self.guarded(condition, inner)[0]
        return inner

    # -- calls -----------------------------------------------------------------------------------

    def call(self, node: ast.Call, env: Env) -> Value:
        return self._call(node, node.func, node.args, node.keywords, env, in_thread=False)

    def _call(
        self,
        node: ast.Call,
        func: ast.expr,
        arg_nodes: list[ast.expr],
        keyword_nodes: list[ast.keyword],
        env: Env,
        *,
        in_thread: bool,
    ) -> Value:
        qualified, method, receiver, receiver_name, local = self._callee(func, env)
        args = tuple(self.expr(arg, env) for arg in arg_nodes)
        keywords = {k.arg: self.expr(k.value, env) for k in keyword_nodes if k.arg is not None}
        spread = [self.expr(k.value, env) for k in keyword_nodes if k.arg is None]

        trampoline = self.k.trampolines_by_call.get(qualified or "") or (
            self.k.trampolines_by_method.get(method or "") if qualified is None else None
        )
        if trampoline is not None and trampoline.function < len(arg_nodes):
            target = arg_nodes[trampoline.function]
            rest = arg_nodes[trampoline.function + 1 :]
            thread = in_thread or trampoline.thread
            if isinstance(target, ast.Lambda):
                child = self._child_frame(in_loop=self.in_loop and not thread)
                return child.expr(target.body, dict(env))
            if isinstance(target, ast.Call):  # run_in_executor(None, partial(f, x))
                return self._call(
                    target, target.func, target.args, target.keywords, env, in_thread=thread
                )
            return self._call(node, target, rest, keyword_nodes, env, in_thread=thread)

        view = sinkmatch.CallView(node, qualified, method, receiver_name, receiver, args, keywords)
        hits = sinkmatch.match(self.k, view)
        if not self.quiet:
            self._record(view, hits, in_thread)
        reported = frozenset(hit.family for hit in hits)

        if local is not None:
            return self._helper(local, node, args, keywords, spread, env, in_thread)
        result = self._mutate_and_result(
            func, method, qualified, receiver, args, keywords, spread, arg_nodes, env
        )
        if self._fetches(qualified, method):
            # A query's rows, a response, a file's content, a process's output: data from
            # elsewhere, not the caller's text (and a Request or a text() clause is reported once,
            # at the sink).
            return Value(kind=result.kind)
        return without(result, reported)

    def _fetches(self, qualified: str | None, method: str | None) -> bool:
        """A sink or blocking call: what it returns comes from a database, the network, a file
        or a process."""
        k = self.k
        if qualified is not None and (qualified in k.sinks_by_call or qualified in k.blocking):
            return True
        return qualified is None and method is not None and method in k.sinks_by_method

    def _mutate_and_result(
        self,
        func: ast.expr,
        method: str | None,
        qualified: str | None,
        receiver: Value | None,
        args: tuple[Value, ...],
        keywords: dict[str, Value],
        spread: list[Value],
        arg_nodes: list[ast.expr],
        env: Env,
    ) -> Value:
        if method in self.k.containment_methods and isinstance(func, ast.Attribute):
            key = _key(func.value)
            if (
                key is not None
                and receiver is not None
                and receiver.resolved
                and method == "relative_to"
            ):
                env[key] = without(receiver, frozenset({"path"}))  # raises when outside
        if method in MUTATORS and isinstance(func, ast.Attribute) and receiver is not None:
            key = _key(func.value)
            if key is not None and any(a.tainted for a in args):
                env[key] = _merge_into(receiver, *args)
        return self._result(qualified, method, receiver, args, keywords, spread, arg_nodes)

    def _callee(
        self, func: ast.expr, env: Env
    ) -> tuple[str | None, str | None, Value | None, str | None, FunctionNode | None]:
        """(qualified name, method, receiver value, receiver text, the module's own function)."""
        names = self.a.names
        if isinstance(func, ast.Name):
            if func.id in env and env[func.id].kind:
                return f"{env[func.id].kind}.__call__", None, env[func.id], None, None
            local = self.a.scopes.resolve(func.id, self.function)
            if local is not None and not names.imported(func.id):
                return None, None, None, None, local
            return names.qualify(func.id), None, None, None, None
        if isinstance(func, ast.Attribute):
            dotted = dotted_name(func)
            root = dotted.split(".")[0] if dotted else None
            receiver_text = dotted_name(func.value)
            if root is not None and root not in env and names.imported(root):
                return names.qualify(dotted or ""), func.attr, None, receiver_text, None
            receiver = self.expr(func.value, env)
            qualified = f"{receiver.kind}.{func.attr}" if receiver.kind else None
            return qualified, func.attr, receiver, receiver_text, None
        self.expr(func, env)
        return None, None, None, None, None

    def _record(
        self, view: sinkmatch.CallView, hits: list[sinkmatch.SinkHit], in_thread: bool
    ) -> None:
        component = self.component
        if component is None:
            return
        line = view.node.lineno
        for hit in hits:
            key = (hit.rule, line, component.label)
            if key not in self.a.events.flows:
                self.a.events.flows[key] = Flow(
                    rule=hit.rule,
                    family=hit.family,
                    component=component.label,
                    parameters=tuple(sorted(hit.value.sources)),
                    sink=hit.label,
                    what=hit.what,
                    line=line,
                    via=self.via,
                )
        name = view.qualified
        if name is None:
            return
        if self.in_loop and not in_thread and name in self.k.blocking:
            site = self.root_line if self.root_line is not None else line
            block_key = (component.label, site, name)
            self.a.events.blocking.setdefault(
                block_key, Blocking(component.label, name, site, line, self.via)
            )
        writer = self.k.stdout_writers.get(name)
        if writer is not None and self._writes_stdout(view.node, writer.unless, writer.descriptor):
            self.a.events.stdout.setdefault(
                (component.label, line), StdoutWrite(component.label, name, line, self.via)
            )

    def _writes_stdout(self, node: ast.Call, unless: str | None, descriptor: int | None) -> bool:
        if descriptor is not None:
            return (
                bool(node.args)
                and isinstance(node.args[0], ast.Constant)
                and node.args[0].value == descriptor
            )
        if unless is None:
            return True
        target = next((k.value for k in node.keywords if k.arg == unless), None)
        if target is None:
            return True
        if isinstance(target, ast.Constant):
            return target.value in (None, False)
        return self.a._is_stdout(target)

    def _helper(
        self,
        function: FunctionNode,
        node: ast.Call,
        args: tuple[Value, ...],
        keywords: dict[str, Value],
        spread: list[Value],
        env: Env,
        in_thread: bool,
    ) -> Value:
        everything = derived(*args, *keywords.values(), *spread)
        if self.depth >= MAX_DEPTH or function is self.function or function.name in self.via:
            return everything
        inner = (
            dict(env)  # a function nested in this one sees its variables
            if self.a.scopes.parents.get(id(function)) is self.function
            and self.function is not None
            else self.a.base_env(function)
        )
        parameters = _bind_arguments(function, args, keywords, spread)
        inner.update(parameters)
        in_loop = self.in_loop and not in_thread
        label = self.component.label if self.component is not None else None
        memo_key = (
            id(function),
            tuple(sorted(parameters.items(), key=lambda item: item[0])),
            label,
            in_loop,
            self.via,
            self.quiet,
        )
        if memo_key in self.a.memo:
            return self.a.memo[memo_key]
        self.a.memo[memo_key] = everything  # while it runs (recursion)
        frame = _Frame(
            self.a,
            function,
            self.component,
            quiet=self.quiet,
            in_loop=in_loop,
            via=(*self.via, function.name),
            depth=self.depth + 1,
            root_line=self.root_line if self.root_line is not None else node.lineno,
        )
        frame.block(function.body, inner)
        result = frame.returns if frame.returns is not None else CLEAN
        self.a.memo[memo_key] = result
        return result

    def _result(
        self,
        qualified: str | None,
        method: str | None,
        receiver: Value | None,
        args: tuple[Value, ...],
        keywords: dict[str, Value],
        spread: list[Value],
        arg_nodes: list[ast.expr],
    ) -> Value:
        k = self.k
        inputs = [*args, *keywords.values(), *spread]
        name = qualified or ""
        if name in k.sanitizers:
            return without(derived(*inputs), k.sanitizers[name])
        if name in k.no_text_calls or (method in k.no_text_methods):
            return CLEAN
        kind = k.kinds.get(name)
        with_receiver = [receiver, *inputs] if receiver is not None else inputs
        if name in k.resolving or (method == "resolve" and receiver is not None and receiver.kind):
            return replace(
                derived(*with_receiver),
                kind=kind or (receiver.kind if receiver else None),
                resolved=True,
            )
        if name in k.url_parsers:
            parsed_from = _key(arg_nodes[0]) if arg_nodes else None
            return replace(derived(*inputs, kind=kind), parsed_from=parsed_from)
        if name in COLLECTION_BUILDERS and args and all(a.collection for a in args):
            return replace(CLEAN, collection=True, items=args[0].items if len(args) == 1 else None)
        if receiver is not None and qualified is None:
            if method == "get" and receiver.collection:
                return derived(*args[1:], *keywords.values())
            if method in ("keys", "values", "items") and receiver.collection:
                return replace(CLEAN, collection=True)
            if method == "format":
                prefix = receiver.lead.split("{", 1)[0] if receiver.whole else receiver.lead
                rest = derived(receiver, *inputs)
                if not rest.tainted:
                    return rest
                return concat(Value(lead=prefix), replace(rest, lead="", whole=False))
            if method in ("split", "rsplit", "splitlines") and receiver.tainted:
                element = derived(receiver)
                return replace(element, head=element)
        if kind is not None and receiver is not None and receiver.kind == kind:
            return replace(derived(*with_receiver), kind=kind, resolved=receiver.resolved)
        return derived(*with_receiver, kind=kind)


def _bind_arguments(
    function: FunctionNode,
    args: tuple[Value, ...],
    keywords: dict[str, Value],
    spread: list[Value],
) -> Env:
    spec = function.args
    positional = [*spec.posonlyargs, *spec.args]
    bound: Env = {}
    for parameter, value in zip(positional, args, strict=False):
        bound[parameter.arg] = value
    extra = args[len(positional) :]
    if spec.vararg is not None:
        bound[spec.vararg.arg] = derived(*extra)
    for parameter in [*positional, *spec.kwonlyargs]:
        if parameter.arg in keywords:
            bound[parameter.arg] = keywords[parameter.arg]
        elif parameter.arg not in bound:
            bound[parameter.arg] = derived(*spread) if spread else CLEAN
    if spec.kwarg is not None:
        known = {p.arg for p in (*positional, *spec.kwonlyargs)}
        bound[spec.kwarg.arg] = derived(
            *(v for k, v in keywords.items() if k not in known), *spread
        )
    return bound


def _key(node: ast.expr) -> str | None:
    """The environment key of a name or attribute chain (`cols`, `args.path`)."""
    return dotted_name(node)


def _element(value: Value) -> Value:
    """An item of a collection (iteration, unpacking, subscript)."""
    if value.head is not None and not value.tainted:
        return CLEAN
    return derived(value)


def _as_text(value: Value) -> Value:
    """A value formatted into a string: its caller text, and its known text when clean."""
    if value.tainted:
        return Value(families=value.families, sources=value.sources, lead="", whole=False)
    return Value(lead=value.lead, whole=value.whole)


def _merge_into(container: Value, *added: Value) -> Value:
    """`container` after its contents received `added` (append, item assignment)."""
    families = container.families.union(*(a.families for a in added))
    sources = container.sources.union(*(a.sources for a in added))
    if families == container.families and sources == container.sources:
        return container
    return replace(
        container,
        families=families,
        sources=sources,
        lead="" if families else container.lead,
        whole=not families,
        collection=False,
    )


def _merge(first: Env | None, second: Env | None) -> Env | None:
    """The environment after two paths meet (None: that path left the block)."""
    if first is None:
        return second
    if second is None:
        return first
    if first is second:
        return first
    merged = dict(first)
    for name, value in second.items():
        merged[name] = join(merged[name], value) if name in merged else value
    return merged


def _leaves(body: list[ast.stmt]) -> bool:
    """The block always leaves (raise, return, continue, break at its end)."""
    if not body:
        return False
    last = body[-1]
    if isinstance(last, ast.Raise | ast.Return | ast.Continue | ast.Break):
        return True
    if isinstance(last, ast.If):
        return _leaves(last.body) and _leaves(last.orelse)
    return False


def _literal(node: ast.expr) -> bool:
    """A constant, or a container of constants (`{"a": ["x", "y"]}`, `frozenset({...})`)."""
    match node:
        case ast.Constant():
            return True
        case ast.List(elts=elts) | ast.Tuple(elts=elts) | ast.Set(elts=elts):
            return _literal_items(elts)
        case ast.Dict(keys=keys, values=values):
            return all(k is not None and _literal(k) for k in keys) and all(
                _literal(v) for v in values
            )
        case ast.Call(func=ast.Name(id=name), args=args, keywords=[]) if (
            name in COLLECTION_BUILDERS
        ):
            return all(_literal(arg) for arg in args)
    return False


def _literal_pattern(pattern: ast.pattern) -> bool:
    """`case "a":` or `case "a" | "b":` (the subject is one of the constants in the case)."""
    if isinstance(pattern, ast.MatchValue):
        return isinstance(pattern.value, ast.Constant)
    if isinstance(pattern, ast.MatchSingleton):
        return True
    if isinstance(pattern, ast.MatchOr):
        return all(_literal_pattern(item) for item in pattern.patterns)
    if isinstance(pattern, ast.MatchAs) and pattern.pattern is not None:
        return _literal_pattern(pattern.pattern)
    return False


def _literal_items(elts: list[ast.expr]) -> bool:
    return all(_literal(item) for item in elts)

"""How a server is served, read from its code, fastmcp.json and Dockerfile: over which transport,
bound to which host, with or without auth, holding which credentials from the environment.

- `run_calls`: `mcp.run(...)`/`mcp.run_async(...)`/`uvicorn.run(...)` in the module's
  `if __name__ == "__main__":` block, or in a module function that block calls (`main()`,
  `asyncio.run(main())`): the transport and host each passes (a literal, or an environment
  variable with its default, also through a module-level constant).
- `docker_facts`: a Dockerfile's `ENV` settings and what its `CMD`/`ENTRYPOINT` starts
  (`python server.py`, `uvicorn server:app --host ...`, `fastmcp run`).
- `exposures`: every way the server is served over HTTP, with the host it binds: a run call with
  an HTTP transport (the Dockerfile's `ENV` overriding the variables it reads when the Dockerfile
  runs the module), fastmcp.json `deployment.transport` http/sse with `deployment.host`, or the
  Dockerfile serving the ASGI app. A host that is a `${VAR}` reference or a variable without a
  default is not known and not reported.
- `auth_configured`: `FastMCP(..., auth=...)` (not None), `mcp.auth = ...`, or an HTTP app or run
  call given a middleware whose name contains "Auth".
- `credential_reads`: `os.environ[NAME]`, `os.environ.get(NAME)`, `os.getenv(NAME)` with a name
  that says credential (TOKEN, KEY, SECRET, PASSWORD, ...).
- `assess`: all of the above for one server, as the http-auth and stdout-at-runtime rules need it.
"""

from __future__ import annotations

import ast
import json
import re
import shlex
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from wagents.analysis.knowledge import Knowledge
from wagents.analysis.names import ImportNames
from wagents.analysis.pyast import constant_string, dotted_name, is_main_guard, nodes

#: Calls that read an environment variable: `os.environ.get(NAME, DEFAULT)` and friends.
ENV_GETTERS = frozenset({"os.environ.get", "os.getenv", "os.environ.setdefault", "environ.get"})
#: fastmcp's default bind address (fastmcp/settings.py `host`, env FASTMCP_HOST).
DEFAULT_HOST = "127.0.0.1"
DEFAULT_HOST_VARIABLE = "FASTMCP_HOST"


@dataclass(frozen=True)
class Setting:
    """An argument's value as the code gives it: a literal, or an environment variable with its
    default (`os.environ.get("HOST", "127.0.0.1")`); neither when it is computed otherwise."""

    literal: str | None = None
    variable: str | None = None
    default: str | None = None
    given: bool = True

    def value(self, environment: Mapping[str, str]) -> str | None:
        """The value under `environment` (None when unknown)."""
        if self.literal is not None:
            return self.literal
        if self.variable is not None:
            return environment.get(self.variable, self.default)
        return None


@dataclass(frozen=True)
class RunCall:
    """A call that serves the server when the module runs as a script."""

    line: int
    call: str
    transport: Setting
    host: Setting
    #: `host_origin_protection=` as written: a literal, "dynamic" when computed, None when absent.
    origin_protection: object
    uvicorn: bool = False


@dataclass(frozen=True)
class DockerFacts:
    """What a Dockerfile sets and starts."""

    env: dict[str, str]
    env_lines: dict[str, int]
    command: tuple[str, ...]
    command_line: int | None

    def runs_module(self, module_name: str) -> bool:
        """The container starts `python <module_name>` (the module's `__main__` block)."""
        return any(part.endswith(module_name) for part in self.command) and any(
            "python" in part.rpartition("/")[2] for part in self.command
        )

    def asgi_server(self) -> tuple[str, str] | None:
        """(server program, bind host) when the container serves an ASGI app itself."""
        words = list(self.command)
        programs = [word.rpartition("/")[2] for word in words]
        for program in ("uvicorn", "hypercorn", "gunicorn", "fastmcp"):
            if program in programs:
                host = _option(words, ("--host", "-h")) if program != "gunicorn" else None
                bind = _option(words, ("--bind", "-b"))
                if bind is not None:
                    host = bind.rsplit(":", 1)[0] if ":" in bind else bind
                if program == "fastmcp" and "http" not in " ".join(words) and "sse" not in words:
                    return None
                return program, host or DEFAULT_HOST
        return None


@dataclass(frozen=True)
class Exposure:
    """One way the server is served over HTTP, and the host it binds."""

    how: str
    host: str
    where: str  # "code", "fastmcp.json" or "Dockerfile"
    line: int | None


def run_calls(module: ast.Module, names: ImportNames) -> tuple[RunCall, ...]:
    """The serving calls of the module's `__main__` block (and of the functions it calls)."""
    constants = _module_constants(module)
    functions = {
        node.name: node
        for node in module.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }
    found: list[RunCall] = []
    for block in _main_blocks(module):
        roots: list[ast.AST] = list(block)
        for node in [n for statement in block for n in ast.walk(statement)]:
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                function = functions.get(node.func.id)
                if function is not None:
                    roots.append(function)
        for root in roots:
            for node in ast.walk(root):
                if isinstance(node, ast.Call):
                    run = _run_call(node, names, constants)
                    if run is not None:
                        found.append(run)
    unique = {(run.line, run.call): run for run in found}
    return tuple(sorted(unique.values(), key=lambda run: run.line))


def _main_blocks(module: ast.Module) -> Iterator[list[ast.stmt]]:
    for node in module.body:
        if isinstance(node, ast.If) and is_main_guard(node):
            yield node.body


def _run_call(call: ast.Call, names: ImportNames, constants: dict[str, ast.expr]) -> RunCall | None:
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr not in ("run", "run_async"):
        return None
    receiver = dotted_name(func.value) or ""
    qualified = names.qualify(receiver)
    keywords = {k.arg: k.value for k in call.keywords if k.arg}
    if qualified == "uvicorn":
        return RunCall(
            call.lineno,
            "uvicorn.run",
            Setting(literal="http"),
            _setting(keywords.get("host"), names, constants),
            None,
            uvicorn=True,
        )
    if names.imported(receiver.split(".")[0]) or not receiver:
        return None  # asyncio.run, anyio.run, ...
    transport = keywords.get("transport") or (call.args[0] if call.args else None)
    protection = keywords.get("host_origin_protection")
    origin: object = None
    if protection is not None:
        origin = protection.value if isinstance(protection, ast.Constant) else "dynamic"
    return RunCall(
        call.lineno,
        f"{receiver}.{func.attr}",
        _setting(transport, names, constants),
        _setting(keywords.get("host"), names, constants),
        origin,
    )


def _setting(
    node: ast.expr | None, names: ImportNames, constants: dict[str, ast.expr], depth: int = 0
) -> Setting:
    if node is None:
        return Setting(given=False)
    text = constant_string(node)
    if text is not None:
        return Setting(literal=text)
    if isinstance(node, ast.Name) and node.id in constants and depth < 3:
        return _setting(constants[node.id], names, constants, depth + 1)
    if isinstance(node, ast.Call):
        called = names.qualify(dotted_name(node.func) or "")
        if called in ENV_GETTERS and node.args:
            variable = constant_string(node.args[0])
            default = node.args[1] if len(node.args) > 1 else None
            default = next((k.value for k in node.keywords if k.arg == "default"), default)
            return Setting(variable=variable, default=constant_string(default))
    if isinstance(node, ast.Subscript) and _is_environ(node.value, names):
        return Setting(variable=constant_string(node.slice))
    if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or) and len(node.values) == 2:
        first = _setting(node.values[0], names, constants, depth + 1)  # getenv("HOST") or "x"
        fallback = constant_string(node.values[1])
        if first.variable is not None and first.default is None and fallback is not None:
            return Setting(variable=first.variable, default=fallback)
    return Setting()


def _module_constants(module: ast.Module) -> dict[str, ast.expr]:
    constants: dict[str, ast.expr] = {}
    for node in module.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                constants[target.id] = node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
            constants[node.target.id] = node.value
    return constants


def _option(words: list[str], flags: tuple[str, ...]) -> str | None:
    for index, word in enumerate(words):
        for flag in flags:
            if word == flag and index + 1 < len(words):
                return words[index + 1]
            if word.startswith(flag + "="):
                return word.split("=", 1)[1]
    return None


def docker_facts(text: str) -> DockerFacts:
    """The `ENV` settings and the last `CMD`/`ENTRYPOINT` of a Dockerfile (continuations joined)."""
    env: dict[str, str] = {}
    env_lines: dict[str, int] = {}
    command: tuple[str, ...] = ()
    command_line: int | None = None
    entrypoint: tuple[str, ...] = ()
    for line, instruction in _instructions(text):
        keyword, _, rest = instruction.partition(" ")
        keyword = keyword.upper()
        if keyword == "ENV":
            for name, value in _env_pairs(rest.strip()):
                env[name] = value
                env_lines[name] = line
        elif keyword in ("CMD", "ENTRYPOINT"):
            words = _command_words(rest.strip())
            if keyword == "CMD":
                command, command_line = words, line
            else:
                entrypoint = words
                command_line = command_line or line
    return DockerFacts(env, env_lines, entrypoint + command, command_line)


def _instructions(text: str) -> Iterator[tuple[int, str]]:
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), 1):
        stripped = raw.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if pending and stripped.startswith("#"):
            continue
        if not pending:
            start = number
        if stripped.endswith("\\"):
            pending.append(stripped[:-1])
            continue
        pending.append(stripped)
        yield start, " ".join(part.strip() for part in pending)
        pending = []
    if pending:
        yield start, " ".join(pending)


def _env_pairs(rest: str) -> list[tuple[str, str]]:
    try:
        words = shlex.split(rest)
    except ValueError:
        return []
    if words and "=" not in words[0]:  # ENV NAME value (legacy form)
        return [(words[0], " ".join(words[1:]))]
    return [(name, value) for name, _, value in (w.partition("=") for w in words if "=" in w)]


def _command_words(rest: str) -> tuple[str, ...]:
    if rest.startswith("["):
        try:
            value = json.loads(rest)
        except ValueError:
            return ()
        if isinstance(value, list):
            return tuple(str(item) for item in value)
    try:
        return tuple(shlex.split(rest))
    except ValueError:
        return tuple(rest.split())


def exposures(
    calls: tuple[RunCall, ...],
    deployment: Mapping[str, Any],
    docker: DockerFacts | None,
    source_name: str,
    knowledge: Knowledge,
) -> list[Exposure]:
    """Every way the server is served over HTTP (see the module docstring)."""
    out: list[Exposure] = []
    runs_module = docker is not None and docker.runs_module(source_name)
    environment = docker.env if docker is not None and runs_module else {}
    for run in calls:
        transport = run.transport.value(environment) if run.transport.given else "stdio"
        if transport not in knowledge.http_transports:
            continue
        host_setting = (
            run.host
            if run.host.given
            else Setting(variable=DEFAULT_HOST_VARIABLE, default=DEFAULT_HOST)
        )
        host = host_setting.value(environment)
        if host is None:
            continue
        origin = ""
        if host_setting.variable is not None and host_setting.variable in environment:
            origin = f" (the Dockerfile sets {host_setting.variable}={host})"
        elif host_setting.variable is not None and run.host.given:
            origin = f" ({host_setting.variable} defaults to {host!r})"
        call = f"{run.call}()" if run.uvicorn else f"{run.call}(transport={transport!r})"
        out.append(Exposure(f"{call} in __main__{origin}", host, "code", run.line))
    transport = deployment.get("transport")
    if transport in knowledge.http_transports:
        host = deployment.get("host", DEFAULT_HOST)
        if isinstance(host, str) and "$" not in host:
            out.append(
                Exposure(
                    f"fastmcp.json deployment.transport {transport!r}", host, "fastmcp.json", None
                )
            )
    if docker is not None:
        served = docker.asgi_server()
        if served is not None:
            program, host = served
            out.append(
                Exposure(f"the Dockerfile's {program}", host, "Dockerfile", docker.command_line)
            )
    return out


def public(exposure: Exposure, knowledge: Knowledge) -> bool:
    """The exposure binds a host other than loopback."""
    return exposure.host.strip().lower() not in knowledge.loopback_hosts


def auth_configured(module: ast.Module, names: ImportNames) -> bool:
    """The module gives the server auth (see the module docstring)."""
    for node in nodes(module):
        if isinstance(node, ast.Call):
            called = names.qualify(dotted_name(node.func) or "")
            for keyword in node.keywords:
                if (
                    keyword.arg == "auth"
                    and called.rpartition(".")[2] == "FastMCP"
                    and not (
                        isinstance(keyword.value, ast.Constant) and keyword.value.value is None
                    )
                ):
                    return True
                if keyword.arg == "middleware" and any(
                    "auth" in (dotted_name(n) or "").lower()
                    for n in ast.walk(keyword.value)
                    if isinstance(n, ast.Name | ast.Attribute)
                ):
                    return True
        elif isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Attribute) and target.attr == "auth" for target in node.targets
        ):
            return True
    return False


def _is_environ(node: ast.expr, names: ImportNames) -> bool:
    return names.qualify(dotted_name(node) or "") == "os.environ"


def credential_reads(
    module: ast.Module, names: ImportNames, knowledge: Knowledge
) -> list[tuple[str, int]]:
    """(variable, line) of every environment read whose name says credential."""
    out = []
    for node in nodes(module):
        variable = None
        if (
            isinstance(node, ast.Call)
            and node.args
            and names.qualify(dotted_name(node.func) or "") in ENV_GETTERS
        ):
            variable, line = constant_string(node.args[0]), node.lineno
        elif isinstance(node, ast.Subscript) and _is_environ(node.value, names):
            variable, line = constant_string(node.slice), node.lineno
        if variable and knowledge.credential_name.search(variable):
            out.append((variable, line))
    return out


def credential_names(env: Mapping[str, Any], knowledge: Knowledge) -> list[str]:
    """fastmcp.json `deployment.env` names that say credential."""
    return [name for name in env if re.search(knowledge.credential_name, name)]


def serves_stdio(
    calls: tuple[RunCall, ...], deployment: Mapping[str, Any], knowledge: Knowledge
) -> bool:
    """Whether the server may run over stdio: unless fastmcp.json deploys it over HTTP and every
    run call of its `__main__` block serves HTTP too (stdio is both defaults)."""
    if deployment.get("transport") not in knowledge.http_transports:
        return True
    for run in calls:
        transport = run.transport.value({}) if run.transport.given else "stdio"
        if transport not in knowledge.http_transports:
            return True
    return False


@dataclass(frozen=True)
class Serving:
    """How one server is served (see `assess`)."""

    run_calls: tuple[RunCall, ...]
    exposures: tuple[Exposure, ...]
    authenticated: bool
    #: Credential-named environment variables the code reads or `deployment.env` passes.
    credentials: tuple[str, ...]
    #: It may run over stdio (see `serves_stdio`).
    stdio: bool

    def public(self, knowledge: Knowledge) -> list[Exposure]:
        """The exposures on a non-loopback host."""
        return [exposure for exposure in self.exposures if public(exposure, knowledge)]


def assess(
    modules: list[ast.Module],
    source: ast.Module | None,
    source_name: str,
    deployment: Mapping[str, Any],
    dockerfile: str | None,
    knowledge: Knowledge,
) -> Serving:
    """How a server is served: `modules` are its code modules, `source` the one fastmcp.json
    names (its `__main__` block is what `python server.py` runs), `deployment` fastmcp.json's
    `deployment`, `dockerfile` the text of its Dockerfile."""
    calls = run_calls(source, ImportNames.of(source)) if source is not None else ()
    docker = docker_facts(dockerfile) if dockerfile is not None else None
    env = deployment.get("env")
    credentials = {
        name
        for module in modules
        for name, _ in credential_reads(module, ImportNames.of(module), knowledge)
    } | set(credential_names(env if isinstance(env, dict) else {}, knowledge))
    return Serving(
        run_calls=calls,
        exposures=tuple(exposures(calls, deployment, docker, source_name, knowledge)),
        authenticated=any(auth_configured(m, ImportNames.of(m)) for m in modules),
        credentials=tuple(sorted(credentials)),
        stdio=serves_stdio(calls, deployment, knowledge),
    )

"""Rules read from the syntax trees of a server's Python modules (found without importing them)."""

from __future__ import annotations

import ast
import difflib
from collections.abc import Iterator
from pathlib import Path

from wagents.analysis.pyast import (
    constant_string,
    dotted_name,
    fastmcp_calls,
    nodes,
    server_names,
    walk_function_body,
)
from wagents.check.facts import ServerFacts
from wagents.check.rules import Problem, rule
from wagents.files.load import json_key_line
from wagents.model import Severity

#: Hints for constructor arguments FastMCP rejects without a hint of its own.
UNKNOWN_KWARG_HINTS = {
    "docket": "Docket is configured by settings, not the constructor: set FASTMCP_DOCKET_URL "
    "(and pass tasks=True for background tasks).",
}
#: Host values that bind every interface.
ALL_INTERFACES = frozenset({"0.0.0.0", "::", "[::]"})
#: Keyword arguments and names that hold a bind address.
HOST_WORDS = ("host", "bind")


def _modules(facts: ServerFacts) -> Iterator[tuple[Path, ast.Module]]:
    for path, loaded in facts.files.code_modules.items():
        if loaded.value is not None:
            yield path, loaded.value


@rule("removed-kwargs", Severity.ERROR)
def removed_kwargs(facts: ServerFacts) -> Iterator[Problem]:
    """FastMCP() is called only with arguments FastMCP 3 accepts.

    FastMCP 3 moved the transport settings of v2's constructor (`host`, `port`, `log_level`,
    `debug`, `sse_path`, `message_path`, `streamable_http_path`, `json_response`,
    `stateless_http`) to `run()`/`http_app()` and `FASTMCP_*` settings, and dropped
    `on_duplicate_tools/resources/prompts`, `tool_serializer`, `include_tags`, `exclude_tags` and
    `tool_transformations`. Any of them, or an argument that never existed (such as `docket=`),
    raises TypeError when the module is imported, so the server never starts. The accepted
    arguments are read from the installed `FastMCP.__init__`; the check reads the code without
    running it, so it reports every such argument with its line even when the import fails.

    Bad::

        mcp = FastMCP("Weather", host="0.0.0.0", port=8000, stateless_http=True)

    Good::

        mcp = FastMCP("Weather")
        app = mcp.http_app(stateless_http=True)  # host and port go to uvicorn or mcp.run()
    """
    constructor = facts.environment.fastmcp_constructor
    positional, accepted, removed = (
        constructor.positional,
        constructor.keywords,
        constructor.removed,
    )
    for path, module in _modules(facts):
        for call in fastmcp_calls(module):
            if len(call.args) > positional and not any(
                isinstance(a, ast.Starred) for a in call.args
            ):
                yield Problem(
                    f"FastMCP() takes at most {positional} positional arguments (name, "
                    f"instructions), this call passes {len(call.args)}: pass the rest by keyword",
                    path,
                    call.lineno,
                )
            for keyword in call.keywords:
                name = keyword.arg
                if name is None or name in accepted:
                    continue  # **kwargs cannot be checked statically
                yield Problem(
                    f"FastMCP(..., {name}=...) raises TypeError in FastMCP 3: "
                    + _replacement(name, removed, accepted),
                    path,
                    keyword.lineno,
                )


def _replacement(name: str, removed: dict[str, str], accepted: frozenset[str]) -> str:
    if name in removed:
        return removed[name]
    if name in UNKNOWN_KWARG_HINTS:
        return f"there is no `{name}` argument. {UNKNOWN_KWARG_HINTS[name]}"
    close = difflib.get_close_matches(name, sorted(accepted), n=1)
    hint = f" (did you mean `{close[0]}`?)" if close else ""
    return f"there is no `{name}` argument{hint}."


@rule("run-in-async", Severity.ERROR)
def run_in_async(facts: ServerFacts) -> Iterator[Problem]:
    """The server's `run()` is never called inside an `async def`.

    `mcp.run()` starts an event loop of its own (`anyio.run`); called from a coroutine, which
    already runs in a loop, it fails with "Already running asyncio in this thread" (or blocks
    the loop). Inside async code, await `mcp.run_async()` instead. The check looks for
    `NAME.run(...)` in async functions, where NAME is assigned a `FastMCP(...)` in the module
    (or is fastmcp.json's entrypoint).

    Bad::

        async def main() -> None:
            await setup()
            mcp.run(transport="http")

    Good::

        async def main() -> None:
            await setup()
            await mcp.run_async(transport="http")
    """
    for path, module in _modules(facts):
        names = server_names(module)
        if path == facts.files.source_path:
            names.add(facts.files.entrypoint or "mcp")
        for function in nodes(module):
            if not isinstance(function, ast.AsyncFunctionDef):
                continue
            for node in walk_function_body(function):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "run"
                    and isinstance(node.func.value, ast.Name)
                    and node.func.value.id in names
                ):
                    server = node.func.value.id
                    yield Problem(
                        f"{server}.run() inside `async def {function.name}` starts a second "
                        f"event loop and fails; use `await {server}.run_async(...)`",
                        path,
                        node.lineno,
                    )


@rule("sse-transport", Severity.WARNING)
def sse_transport(facts: ServerFacts) -> Iterator[Problem]:
    """The server does not choose the SSE transport (deprecated by the MCP specification).

    The MCP specification replaced HTTP+SSE with Streamable HTTP (2025-03-26); clients drop SSE
    over time. FastMCP still serves it when asked, so the choice is easy to miss: this rule looks
    for `transport="sse"` in calls (`mcp.run`, `run_async`, `http_app`) and for
    `deployment.transport` `"sse"` in fastmcp.json. Use `"http"` (Streamable HTTP) instead.

    Bad::

        mcp.run(transport="sse", host="127.0.0.1", port=8000)

    Good::

        mcp.run(transport="http", host="127.0.0.1", port=8000)
    """
    if facts.files.deployment.get("transport") == "sse":
        loaded = facts.files.fastmcp_json
        yield Problem(
            'fastmcp.json deployment.transport is "sse", which the MCP specification '
            'deprecates: use "http" (Streamable HTTP)',
            facts.path / "fastmcp.json",
            json_key_line(loaded.text or "", "transport") if loaded else None,
        )
    for path, module in _modules(facts):
        for node in nodes(module):
            if not isinstance(node, ast.Call):
                continue
            transport = next(
                (constant_string(k.value) for k in node.keywords if k.arg == "transport"), None
            )
            method = node.func.attr if isinstance(node.func, ast.Attribute) else None
            if transport is None and method in ("run", "run_async") and node.args:
                transport = constant_string(node.args[0])
            if transport == "sse":
                yield Problem(
                    'transport="sse" is deprecated by the MCP specification: use "http" '
                    "(Streamable HTTP)",
                    path,
                    node.lineno,
                )


@rule("bind-address", Severity.WARNING)
def bind_address(facts: ServerFacts) -> Iterator[Problem]:
    """The server does not hard-code a bind to every interface (0.0.0.0 or ::).

    A server bound to all interfaces is reachable from the whole network, with nothing but
    its own auth in the way; on a laptop that is every café Wi-Fi. Bind 127.0.0.1 by default and
    let the environment widen it where that is wanted (a container sets `HOST=0.0.0.0`). The
    rule looks at `host=`/`bind=` arguments, the defaults of `os.environ.get`/`os.getenv`,
    assignments to names containing HOST or BIND, `"host"` keys of dict literals, and
    fastmcp.json's `deployment.host`.

    Bad::

        mcp.run(transport="http", host="0.0.0.0", port=8000)

    Good::

        mcp.run(transport="http", host=os.environ.get("HOST", "127.0.0.1"), port=8000)
    """
    if _all_interfaces(facts.files.deployment.get("host")):
        loaded = facts.files.fastmcp_json
        yield Problem(
            f"fastmcp.json deployment.host is {facts.files.deployment['host']!r}, every interface: "
            "leave it out (127.0.0.1) and let the deployment set FASTMCP_HOST or HOST",
            facts.path / "fastmcp.json",
            json_key_line(loaded.text or "", "host") if loaded else None,
        )
    for path, module in _modules(facts):
        for node, value in _host_literals(module):
            yield Problem(
                f"{value!r} binds every interface: default to 127.0.0.1 and read the host "
                'from the environment (os.environ.get("HOST", "127.0.0.1"))',
                path,
                getattr(node, "lineno", None),
            )


def _all_interfaces(value: object) -> bool:
    if not isinstance(value, str):
        return False
    host = value.strip()
    return host in ALL_INTERFACES or host.startswith(("0.0.0.0:", "[::]:"))


def _host_word(name: str | None) -> bool:
    return name is not None and any(word in name.lower() for word in HOST_WORDS)


def _host_literals(module: ast.Module) -> Iterator[tuple[ast.AST, str]]:
    for node in nodes(module):
        candidates: list[ast.AST | None] = []
        if isinstance(node, ast.Call):
            candidates += [k.value for k in node.keywords if _host_word(k.arg)]
            name = dotted_name(node.func) or ""
            if name.rpartition(".")[2] in ("get", "getenv", "setdefault") and len(node.args) > 1:
                key = constant_string(node.args[0])
                if key is None or _host_word(key):
                    candidates.append(node.args[1])
            candidates += [k.value for k in node.keywords if k.arg == "default"]
        elif isinstance(node, ast.Assign):
            if any(_host_word(dotted_name(t)) for t in node.targets):
                candidates.append(node.value)
        elif isinstance(node, ast.AnnAssign) and _host_word(dotted_name(node.target)):
            candidates.append(node.value)
        elif isinstance(node, ast.Dict):
            candidates += [
                v
                for k, v in zip(node.keys, node.values, strict=True)
                if constant_string(k) == "host"
            ]
        for candidate in candidates:
            value = constant_string(candidate)
            if candidate is not None and value is not None and _all_interfaces(value):
                yield candidate, value

"""Rules about a server started for real, as its clients start it (`wagents validate --live`).

The facts come from probe/live.py: the server launched over stdio with the command of its client
configuration and driven by the MCP SDK's client, and served by uvicorn and reached over HTTP.
Without `--live` these rules report nothing (and ignores of them are not judged).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from fnmatch import fnmatchcase

from wagents.check.facts import ServerFacts
from wagents.check.rules import Problem, Stage, rule
from wagents.model import Severity
from wagents.probe.live import (
    FOREIGN_HOST,
    FOREIGN_ORIGIN,
    SIGTERM_EXIT_SECONDS,
    STDIN_EXIT_SECONDS,
    STRAY_CHARS,
    Listing,
    LiveFacts,
    StdioFacts,
)
from wagents.probe.protocol import ServerInfo

#: Names listed in a finding before "and N more".
SHOWN_NAMES = 5
#: A traceback's last line: `KeyError: 'X'`, `pydantic_core.ValidationError: 1 validation error`.
EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt)\b")


@rule("live-stdio", Severity.ERROR, stage=Stage.LIVE)
def live_stdio(facts: ServerFacts, live: LiveFacts | None) -> Iterator[Problem]:
    """The server starts over stdio as its client configuration starts it, and answers a client.

    With `--live`, wagents runs the command and arguments `wagents config NAME` writes into client
    configurations (`uv run --directory <server> fastmcp run ... --transport stdio --no-banner`,
    with `UV_NO_SYNC=1` so that the workspace is neither re-locked nor re-synced), with the probe's
    scrubbed environment (plus the server's `probe-env`) and a temporary HOME, and talks to it
    with the MCP SDK's client:
    `initialize` within `--timeout`, every page of `tools/list`, `resources/list`,
    `resources/templates/list` and `prompts/list`, `ping`, then stdin is closed. Errors: the server
    does not start, exits, or fails or misses an answer (the lifespan raises, hangs, or needs a
    variable nobody set); a line on stdout that is not JSON-RPC (a `print()` in the lifespan or a
    tool, a banner: FastMCP's own client skips it, other clients log errors or drop the
    connection). Warnings: the lists differ from what the probe's own in-memory session listed
    (components that depend on the environment or the process: the other rules checked a
    different list), or the process is still running 5 s after its stdin closed (clients then
    kill it). Lines the import itself printed are left to `stdout-at-import`. A server whose
    probe saw it write into the workspace when it started is not launched (a warning says so):
    launches run in the server's real directory.

    It cannot see what only a tool call does (it calls none), nor a client's own environment:
    variables a client configuration passes with `env` are not set here.

    Bad::

        @asynccontextmanager
        async def lifespan(server):
            print("connecting to the database")  # stdout is the protocol under stdio
            yield

    Good::

        @asynccontextmanager
        async def lifespan(server):
            logging.getLogger(__name__).info("connecting to the database")  # stderr
            yield
    """
    where = facts.files.source_path
    if live is not None and live.skipped is not None:
        yield Problem(live.skipped, where, severity=Severity.WARNING)
        return
    stdio = live.stdio if live is not None else None
    if stdio is None:
        return
    strays, count = _strays_after_import(facts, stdio)
    if count:
        yield Problem(
            f"over stdio the server wrote {count} line(s) to stdout that are not JSON-RPC, "
            f"first {strays[0] if strays else '(not kept)'!r}: stdout carries the protocol, "
            "log to stderr",
            where,
        )
    session = stdio.session
    if session.failure is not None:
        yield Problem(
            f"started as clients start it ({' '.join(stdio.command[:2])} ... fastmcp run), "
            f"{session.failure}{_stderr_hint(stdio.stderr_tail)}",
            where,
        )
        return
    differences = listing_differences(facts.server_info, session.listing)
    if differences:
        yield Problem(
            f"over stdio a client sees {'; '.join(differences)}",
            where,
            severity=Severity.WARNING,
        )
    if stdio.stopped is False:
        yield Problem(
            f"over stdio the server still ran {STDIN_EXIT_SECONDS:g} s after its stdin closed "
            "(the client went away): end when stdin reaches end of file",
            where,
            severity=Severity.WARNING,
        )


@rule("live-http", Severity.ERROR, stage=Stage.LIVE)
def live_http(facts: ServerFacts, live: LiveFacts | None) -> Iterator[Problem]:
    """The HTTP app serves MCP under uvicorn with two stateless workers and stops on SIGTERM.

    With `--live`, wagents serves the module's `app` (or `mcp.http_app()` when the module defines
    none) with `python -m uvicorn --workers 2` and `FASTMCP_STATELESS_HTTP=true`, on a loopback
    port of its own, with the probe's scrubbed environment (plus `probe-env`) and a temporary
    HOME, and connects the
    MCP SDK's streamable-HTTP client: `initialize`, every list, `ping`. Errors: uvicorn cannot
    load or serve the app (an app mounted without its lifespan fails every MCP request), a list
    fails, `GET /health` does not answer 200 when the server defines it, or the Host/Origin guard
    the server declares lets a DNS-rebinding request through (a foreign `Origin` must get 403,
    a foreign `Host` 421, unless the allowed hosts/origins of the app or of FastMCP's settings
    admit them). Warnings: the lists differ from what the probe's session listed, or uvicorn still
    runs 10 s after SIGTERM (a lifespan shutdown that hangs: container runtimes then kill it).

    A server that declares no guard is left to `origin-protection`; an app that is not FastMCP's
    (a FastAPI or Starlette app mounting it) is reached at `/mcp`. Variables a deployment sets are
    not set here.

    Bad::

        mcp_app = mcp.http_app(path="/")
        app = Starlette(routes=[Mount("/mcp", app=mcp_app)])  # lifespan not passed on

    Good::

        mcp_app = mcp.http_app(path="/")
        app = Starlette(routes=[Mount("/mcp", app=mcp_app)], lifespan=mcp_app.lifespan)
    """
    where = facts.files.source_path
    if live is not None and live.skipped is not None:
        yield Problem(live.skipped, where, severity=Severity.WARNING)
        return
    http = live.http if live is not None else None
    if http is None:
        return
    session = http.session
    if session.failure is not None:
        yield Problem(
            f"served by uvicorn (2 stateless workers) at {http.url}, "
            f"{session.failure}{_stderr_hint(http.stderr_tail)}",
            where,
        )
        return
    if http.health_status is not None and http.health_status != 200:
        yield Problem(f"GET /health answered {http.health_status}, not 200", where)
    refuse_host, refuse_origin = _guard_expected(facts)
    if refuse_origin and http.foreign_origin_status not in (None, 403):
        yield Problem(
            f"a request with Origin {FOREIGN_ORIGIN} got {http.foreign_origin_status}, not 403: "
            "the Host/Origin guard the app declares does not hold",
            where,
        )
    if refuse_host and http.foreign_host_status not in (None, 421):
        yield Problem(
            f"a request with Host {FOREIGN_HOST} got {http.foreign_host_status}, not 421: "
            "the Host/Origin guard the app declares does not hold",
            where,
        )
    differences = listing_differences(facts.server_info, session.listing)
    if differences:
        yield Problem(
            f"over HTTP a client sees {'; '.join(differences)}",
            where,
            severity=Severity.WARNING,
        )
    if http.stopped is False:
        yield Problem(
            f"uvicorn still ran {SIGTERM_EXIT_SECONDS:g} s after SIGTERM: the lifespan's "
            "shutdown (or a thread it started) does not end",
            where,
            severity=Severity.WARNING,
        )


def _strays_after_import(facts: ServerFacts, stdio: StdioFacts) -> tuple[list[str], int]:
    """The stray stdout lines of the stdio launch that the import did not already print
    (`stdout-at-import` reports those), and how many there were."""
    sample = facts.runtime.stdout_sample if facts.runtime is not None else ""
    printed = {line[:STRAY_CHARS] for line in sample.splitlines()}
    strays = [line for line in stdio.stray_lines if line not in printed]
    return strays, stdio.stray_count - (len(stdio.stray_lines) - len(strays))


def listing_differences(server: ServerInfo | None, listing: Listing | None) -> list[str]:
    """How a client's lists differ from the probe's: one phrase per kind and direction.

    The probe's lists are those its in-memory session received (`ServerInfo` as listed); a live
    client's are names and URIs off the wire.
    """
    if listing is None or server is None:
        return []
    kinds = (
        ("tools", {item.name for item in server.tools}, listing.tools),
        ("resources", {item.uri for item in server.resources}, listing.resources),
        ("resource templates", {item.uri_template for item in server.templates}, listing.templates),
        ("prompts", {item.name for item in server.prompts}, listing.prompts),
    )
    phrases = []
    for label, probed, seen_names in kinds:
        seen = set(seen_names)
        if extra := sorted(seen - probed):
            phrases.append(f"{label} the probe's session did not list ({_names(extra)})")
        if missing := sorted(probed - seen):
            phrases.append(f"no {label} {_names(missing)}, which the probe's session listed")
    return phrases


def _names(names: list[str]) -> str:
    shown = ", ".join(names[:SHOWN_NAMES])
    more = len(names) - SHOWN_NAMES
    return f"{shown} and {more} more" if more > 0 else shown


def _guard_expected(facts: ServerFacts) -> tuple[bool, bool]:
    """Whether the server's own settings say a foreign Host, and a foreign Origin, are refused.

    The module's `app` carries its guard's mode and allowed lists (the probe reads its
    middleware); without an app, `mcp.http_app()` takes them from FastMCP's settings.
    """
    runtime = facts.runtime
    server = facts.server_info
    app = runtime.http_app if runtime is not None else None
    protection: str | bool | None
    if app is not None:
        protection = app.origin_protection
        hosts, origins = app.allowed_hosts, app.allowed_origins
    elif server is not None:
        settings = server.settings
        protection = settings.http_host_origin_protection
        hosts, origins = settings.http_allowed_hosts, settings.http_allowed_origins
    else:
        return False, False
    if not protection:
        return False, False
    return (
        not _admits(hosts, (FOREIGN_HOST,)),
        not _admits(origins, (FOREIGN_ORIGIN, f"{FOREIGN_ORIGIN}:80")),
    )


def _admits(patterns: tuple[str, ...] | None, values: tuple[str, ...]) -> bool:
    """FastMCP's allowlist match (fnmatch, `*` for anything), case-insensitively."""
    return any(
        fnmatchcase(value, pattern.strip().lower().rstrip("/"))
        for pattern in patterns or ()
        for value in values
    )


def _stderr_hint(tail: str) -> str:
    """`; stderr: <the line that says most>`: the last exception line, else the last error line,
    else the last line that is not uvicorn's INFO chatter; nothing when stderr was empty."""
    lines = [" ".join(line.split()) for line in tail.splitlines() if line.strip()]
    preferences: tuple[Callable[[str], bool], ...] = (
        lambda line: EXCEPTION_LINE.match(line) is not None,
        lambda line: "error" in line.lower(),
        lambda line: not line.startswith("INFO:"),
        lambda line: True,
    )
    for wanted in preferences:
        chosen = [line for line in lines if wanted(line)]
        if chosen:
            return f"; stderr: {chosen[-1][:200]}"
    return ""

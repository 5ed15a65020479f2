"""Rules about what really goes wrong in MCP servers: caller text reaching a shell, SQL, a file
path or a URL; HTTP servers without auth; blocking calls in async code; stdout at runtime.

The taint analysis is `wagents.analysis.taint` (its docstring is the model: sources, propagation,
sanitizers, and what it cannot see); its knowledge of libraries is
`wagents/analysis/data/sinks.toml`. These functions only turn its results into problems.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from wagents.analysis import serving
from wagents.analysis.knowledge import knowledge
from wagents.analysis.taint import Flow
from wagents.check.facts import ServerFacts
from wagents.check.rules import Problem, rule
from wagents.files.load import json_key_line
from wagents.model import Severity
from wagents.workspace.server import FASTMCP_JSON

FIXES = {
    "command": "run a fixed program with an argument list and no shell, and check values "
    "against a fixed set (or shlex.quote them)",
    "code": "never evaluate or unpickle caller text: parse it (json.loads, ast.literal_eval, "
    "yaml.safe_load)",
    "sql": "pass values as bound parameters (?, %s, $1) and take identifiers from a fixed set",
    "path": "resolve the path and check it stays inside the allowed directory "
    "(path.resolve().is_relative_to(ROOT))",
    "url": "keep the scheme and host fixed (a base URL ending in /, caller text only after it) "
    "or check the host against an allowlist",
}


def _flows(facts: ServerFacts, slug: str) -> Iterator[Problem]:
    """One problem per sink line (the first component that reaches it, and how many more)."""
    for path, report in facts.taint.items():
        by_line: dict[int, list[Flow]] = {}
        for flow in report.flows:
            if flow.rule == slug:
                by_line.setdefault(flow.line, []).append(flow)
        for line, flows in sorted(by_line.items()):
            first = flows[0]
            names = ", ".join(repr(name) for name in first.parameters)
            verb = "parameters {} reach" if len(first.parameters) > 1 else "parameter {} reaches"
            others = f" (and {len(flows) - 1} more component(s))" if len(flows) > 1 else ""
            yield Problem(
                f"{first.component}{others}: {verb.format(names)} {first.sink} as "
                f"{first.what}{_through(first.via)}; {FIXES[first.family]}",
                path,
                line,
            )


def _through(via: tuple[str, ...], line: int | None = None) -> str:
    if not via:
        return ""
    chain = " -> ".join(f"{name}()" for name in via)
    return f" through {chain}" if line is None else f" (through {chain}, line {line})"


@rule("command-injection", Severity.ERROR)
def command_injection(facts: ServerFacts) -> Iterator[Problem]:
    """No tool, resource template or prompt hands caller text to a shell, a program or `eval`.

    The arguments of a tool come from the model, and the model follows whatever text reaches its
    context: a web page, an issue, a file it read (OWASP MCP05, Command Injection & Execution).
    A parameter that reaches a shell command (`subprocess.run(..., shell=True)`, `os.system`,
    `os.popen`, `asyncio.create_subprocess_shell`), names the program to run (a string command
    without a shell, the first item of an argument list, `os.exec*`,
    `asyncio.create_subprocess_exec`), becomes a script an interpreter runs (`["sh", "-c", x]`)
    or Python code (`eval`, `exec`, `compile`), or is deserialized (`pickle.loads`,
    `marshal.loads`, `yaml.load` without a safe Loader, `yaml.unsafe_load`) lets that text run
    anything the server can. An argument list with a fixed program (`["git", "log", ref]`) is
    not a finding, nor is a value that went through `int()`/`float()`/`bool()`, `shlex.quote`,
    a membership check against a literal collection, or a parameter typed so that it carries no
    such text (`int`, `Literal[...]`, an enum, a `pattern=` that admits no shell metacharacter).

    The analysis follows the value through assignments, string building, containers and the
    module's own functions (three calls deep), and finds tools defined in factory functions. It
    does not see helpers imported from other modules, methods of classes, checks made by a helper
    that returns a boolean, or regular-expression checks in code: suppress a finding such a check
    makes wrong with its reason. The taint model and the sinks with their sources are listed in
    docs/rules.md ("Taint analysis") and `wagents/analysis/data/sinks.toml`. Sources: OWASP MCP
    Top 10 MCP05:2025; CWE-78, CWE-94, CWE-502; Python's subprocess security considerations.

    Bad::

        @mcp.tool
        def grep(pattern: str) -> str:
            return subprocess.run(f"grep -r {pattern} .", shell=True, capture_output=True,
                                  text=True).stdout

    Good::

        @mcp.tool
        def grep(pattern: str) -> str:
            return subprocess.run(["grep", "-r", "--", pattern, "."], capture_output=True,
                                  text=True).stdout
    """
    yield from _flows(facts, "command-injection")


@rule("sql-injection", Severity.ERROR)
def sql_injection(facts: ServerFacts) -> Iterator[Problem]:
    """No tool, resource template or prompt formats caller text into SQL.

    A parameter formatted into the text of a query (an f-string, `+`, `%`, `.format`) lets the
    caller rewrite the query: read every table, delete rows, or with SQLite's `ATTACH` write
    files (OWASP MCP05; CWE-89). The rule reports caller text in the SQL given to `execute`,
    `executemany`, `executescript` (sqlite3, aiosqlite, psycopg, psycopg2, PyMySQL, duckdb),
    asyncpg's `execute`/`fetch`/`fetchrow`/`fetchval`, SQLAlchemy's `text()` and
    `exec_driver_sql`, BigQuery's `Client.query`, and `pandas.read_sql`, including a parameter
    passed as the SQL itself. The type of the connection is followed from `sqlite3.connect()`,
    `asyncpg.create_pool()`, `engine.connect()` and the like; on an object of unknown type,
    `execute(...)` counts when the object's name says database (`cursor`, `conn`, `db`,
    `session`, ...) or the text reads as SQL. Bound parameters (`execute("... WHERE id = ?",
    (id,))`) are not findings, nor are values checked against a literal collection (table or
    column names from a fixed set) or converted with `int()`.

    It does not see queries built by other modules or by query builders, and it cannot tell
    that an identifier was quoted by hand: suppress such a finding with its reason. Sources:
    OWASP MCP Top 10 MCP05:2025; CWE-89; PEP 249; the sqlite3 documentation on placeholders.

    Bad::

        @mcp.tool
        def find_user(name: str) -> list[tuple]:
            return db.execute(f"SELECT * FROM users WHERE name = '{name}'").fetchall()

    Good::

        @mcp.tool
        def find_user(name: str) -> list[tuple]:
            return db.execute("SELECT * FROM users WHERE name = ?", (name,)).fetchall()
    """
    yield from _flows(facts, "sql-injection")


@rule("path-traversal", Severity.ERROR)
def path_traversal(facts: ServerFacts) -> Iterator[Problem]:
    """No tool, resource template or prompt opens a path the caller chooses without containment.

    `ROOT / name` with `name = "../../.ssh/id_rsa"` (or an absolute path, which replaces ROOT)
    reads or writes any file the server can: keys, tokens, other users' data (OWASP MCP05 lists
    directory traversal; CWE-22). The rule reports caller text in the path given to `open`,
    `os.open`, `aiofiles.open`, `Path.read_text`/`read_bytes`/`write_text`/`write_bytes`/`open`/
    `unlink`/`iterdir`/..., `os.remove`/`listdir`/..., `shutil` copies, moves and `rmtree`,
    `sqlite3.connect`, and FastMCP's `File(path=...)`, `Image(path=...)`, `Audio(path=...)`.
    Containment ends it: the path resolved (`Path.resolve()`, `os.path.realpath()`) and then
    checked with `is_relative_to(ROOT)`, `relative_to(ROOT)`, `ROOT in path.parents` or
    `os.path.commonpath([ROOT, path]) == ROOT`. A check on the unresolved path does not count:
    `ROOT / "a/../../etc"` is lexically under ROOT. So do a membership check against a literal
    collection and a parameter type that admits no path (`Literal[...]`, an enum, a `pattern=`
    without `/` and `..`).

    It does not see containment checked by a helper that returns a boolean, `str.startswith`
    checks, or paths opened by other modules. Sources: OWASP MCP Top 10 MCP05:2025; CWE-22;
    pathlib's documentation of `resolve` and `is_relative_to`.

    Bad::

        @mcp.tool
        def read_note(name: str) -> str:
            return (NOTES / name).read_text()

    Good::

        @mcp.tool
        def read_note(name: str) -> str:
            path = (NOTES / name).resolve()
            if not path.is_relative_to(NOTES.resolve()):
                raise ToolError(f"{name!r} is outside the notes directory")
            return path.read_text()
    """
    yield from _flows(facts, "path-traversal")


@rule("ssrf", Severity.ERROR)
def ssrf(facts: ServerFacts) -> Iterator[Problem]:
    """No tool, resource template or prompt fetches a URL whose scheme or host the caller chooses.

    A server that fetches any URL a model names reaches what the model's user cannot: cloud
    metadata endpoints (`http://169.254.169.254/`, which hand out credentials), admin ports on
    localhost, the internal network (server-side request forgery; OWASP MCP05; CWE-918). The
    rule reports caller text before the host of a URL is settled, in the URL given to httpx
    (functions, `Client`, `AsyncClient`), requests (functions, `Session`), aiohttp's
    `ClientSession`, urllib's `urlopen`/`Request`, urllib3 and websockets. A fixed base URL
    followed by caller text (`f"https://api.github.com/users/{quote(user)}"`, or a path on a
    client with a `base_url`) is not a finding; `"https://api.example.com" + path` is (`path =
    "@evil.example"` moves the host). A host allowlist ends it: `urlparse(url).hostname in
    ALLOWED` (or a variable holding it, `.netloc`) or `url.startswith(("https://a.example/",
    ...))` with literal prefixes that end the host with `/`.

    A tool whose purpose is fetching any URL is a deliberate risk: keep it away from networks
    it could reach by mistake and suppress the finding with that reason. It does not see clients
    created by other modules, or hosts checked by a helper. Sources: OWASP MCP Top 10
    MCP05:2025; CWE-918; OWASP SSRF Prevention Cheat Sheet.

    Bad::

        @mcp.tool
        async def fetch(url: str) -> str:
            async with httpx.AsyncClient() as client:
                return (await client.get(url)).text

    Good::

        @mcp.tool
        async def fetch(url: str) -> str:
            if urlparse(url).hostname not in ALLOWED_HOSTS:
                raise ToolError("that host is not allowed")
            async with httpx.AsyncClient() as client:
                return (await client.get(url)).text
    """
    yield from _flows(facts, "ssrf")


@rule("http-auth", Severity.ERROR)
def http_auth(facts: ServerFacts) -> Iterator[Problem]:
    """A server served over HTTP on a non-loopback host requires auth (`FastMCP(auth=...)`).

    Anyone who reaches an HTTP server without auth can list and call its tools; when those act
    with the owner's credentials (a GitHub token, a database password from the environment), so
    does everyone on the network (OWASP MCP07, Insufficient Authentication & Authorization;
    CWE-306). The rule looks at how the server is served: fastmcp.json `deployment.transport`
    http or sse (with `deployment.host`), `mcp.run(transport="http"|"sse"|"streamable-http")`
    or `uvicorn.run(...)` in the module's `__main__` block (or a function it calls), and the
    `CMD` of a Dockerfile in the server directory (`uvicorn server:app --host ...`, or `python
    server.py` with its `ENV` settings, which override the variables the code reads). A host
    counts when it is a literal or an environment default (`os.environ.get("HOST",
    "0.0.0.0")`); FastMCP's default is 127.0.0.1. With no `auth=` on the FastMCP constructor
    (and no auth middleware), a non-loopback bind is an error when the code reads credentials
    from the environment (`os.environ`/`os.getenv` names with TOKEN, KEY, SECRET, PASSWORD, ...,
    or such names in `deployment.env`), a warning otherwise.

    A container behind an authenticating gateway is a deliberate setup: suppress the finding
    with that reason. The rule does not see auth added by a reverse proxy, hosts computed at run
    time, or a server started by other code. Sources: OWASP MCP Top 10 MCP07:2025; CWE-306; the
    MCP specification's authorization section; fastmcp/settings.py (host defaults to 127.0.0.1).

    Bad::

        mcp = FastMCP("GitHub")
        TOKEN = os.environ["GITHUB_TOKEN"]

        if __name__ == "__main__":
            mcp.run(transport="http", host="0.0.0.0", port=8000)

    Good::

        mcp = FastMCP("GitHub", auth=JWTVerifier(jwks_uri=..., issuer=..., audience=...))
        TOKEN = os.environ["GITHUB_TOKEN"]

        if __name__ == "__main__":
            mcp.run(transport="http", host=os.environ.get("HOST", "127.0.0.1"), port=8000)
    """
    served = facts.serving
    if served.authenticated:
        return
    held = ", ".join(served.credentials[:3]) + (", ..." if len(served.credentials) > 3 else "")
    for exposure in served.public(knowledge()):
        path, line = _exposure_location(facts, exposure)
        start = (
            f"served over HTTP on {exposure.host} ({exposure.how}) with no auth= on FastMCP(): "
            "anyone who reaches it can call its tools"
        )
        fix = (
            "add auth (FastMCP(auth=...)) or bind 127.0.0.1 (behind an authenticating gateway, "
            "suppress this with that reason)"
        )
        if served.credentials:
            yield Problem(f"{start}, which act with {held} from the environment; {fix}", path, line)
        else:
            yield Problem(f"{start}; {fix}", path, line, severity=Severity.WARNING)


def _exposure_location(facts: ServerFacts, exposure: serving.Exposure) -> tuple[Path, int | None]:
    if exposure.where == "fastmcp.json":
        loaded = facts.files.fastmcp_json
        line = json_key_line(loaded.text or "", "transport") if loaded else None
        return facts.path / FASTMCP_JSON, line
    docker = facts.files.dockerfile
    if exposure.where == "Dockerfile" and docker is not None:
        return docker, exposure.line
    return facts.files.source_path, exposure.line


@rule("blocking-call", Severity.WARNING)
def blocking_call(facts: ServerFacts) -> Iterator[Problem]:
    """An `async def` tool, resource, prompt or lifespan never calls a blocking function.

    FastMCP runs async functions on its event loop: while one blocks in `time.sleep`, a
    `requests` or sync `httpx` call, `subprocess.run`, a `sqlite3` query or a socket, every other
    request of every client waits, progress stops and pings time out. The rule reports such calls
    (the list, with sources, is `[blocking]` in `wagents/analysis/data/sinks.toml`) made by an
    async component directly or through the module's own functions (three calls deep), at the
    line in the component. Calls passed to `asyncio.to_thread`, `loop.run_in_executor` or
    `anyio.to_thread.run_sync` run in a thread and are fine, and so are sync tools: FastMCP runs
    them in a worker thread, unless the tool says `run_in_thread=False` (then it is reported too).

    It does not see blocking calls made by other modules or by methods of classes, or libraries
    it does not list. Sources: Python's asyncio documentation, "Running Blocking Code";
    fastmcp's `run_in_thread` (tools' sync functions run in a worker thread by default).

    Bad::

        @mcp.tool
        async def status(url: str) -> int:
            return requests.get(url, timeout=10).status_code

    Good::

        @mcp.tool
        async def status(url: str) -> int:
            async with httpx.AsyncClient(timeout=10) as client:
                return (await client.get(url)).status_code
    """
    for path, report in facts.taint.items():
        async_components = {c.label for c in report.components if c.is_async}
        by_line: dict[int, list[str]] = {}
        component: dict[int, str] = {}
        for blocking in report.blocking:
            call = f"{blocking.call}(){_through(blocking.via, blocking.call_line)}"
            by_line.setdefault(blocking.line, []).append(call)
            component.setdefault(blocking.line, blocking.component)
        for line, calls in sorted(by_line.items()):
            label = component[line]
            where = "async" if label in async_components else "event-loop"
            yield Problem(
                f"{where} {label} calls {', '.join(calls)}, which block(s) the event loop: "
                "every other request waits; use an async API or `await asyncio.to_thread(...)`",
                path,
                line,
            )


@rule("stdout-at-runtime", Severity.WARNING)
def stdout_at_runtime(facts: ServerFacts) -> Iterator[Problem]:
    """A server that runs over stdio writes nothing to stdout while it serves.

    Over stdio, stdout carries the JSON-RPC messages: a `print()` in a tool (or in a helper it
    calls) puts a line the client cannot parse into the stream, and the client drops the
    message or the connection. The rule reports `print()` without `file=` (or with
    `file=sys.stdout`), `pprint.pprint` without `stream=`, `click.echo`/`typer.echo` without
    `err=True`, `sys.stdout.write` and `os.write(1, ...)` reachable from a tool, resource,
    prompt or the lifespan (through the module's own functions, three calls deep), and a logging
    handler on `sys.stdout` anywhere in the code. It applies unless the server runs only over
    HTTP (fastmcp.json deploys over HTTP and every run call of the `__main__` block serves HTTP).
    stdout-at-import catches writes while the module is imported.

    It does not see writes made by other modules or libraries (a library that prints), or by
    subprocesses that inherit stdout (pass `stdout=subprocess.PIPE` or `capture_output=True`).
    Sources: the MCP specification's stdio transport (the server must not write anything to
    stdout that is not a valid MCP message); Python's `print` and `logging.StreamHandler`.

    Bad::

        @mcp.tool
        def index(path: str) -> int:
            print(f"indexing {path}")
            return build_index(path)

    Good::

        logger = logging.getLogger(__name__)

        @mcp.tool
        def index(path: str) -> int:
            logger.info("indexing %s", path)  # logging writes to stderr
            return build_index(path)
    """
    if not facts.serving.stdio:
        return
    for path, report in facts.taint.items():
        seen: set[int] = set()
        for write in report.stdout:
            if write.line in seen:
                continue
            seen.add(write.line)
            via = f" ({_through(write.via).strip()})" if write.via else ""
            yield Problem(
                f"{write.call}() writes to stdout when {write.component} runs{via}: over stdio "
                "that is the JSON-RPC stream; log to stderr (logging, or print(..., "
                "file=sys.stderr))",
                path,
                write.line,
            )
        for line in report.stdout_handlers:
            yield Problem(
                "a logging handler on sys.stdout sends every log record into the stdio JSON-RPC "
                "stream: log to sys.stderr (logging's default)",
                path,
                line,
            )

"""Rules about a server's project: what it imports and declares, its Python, Docket URL and lock."""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from io import StringIO
from pathlib import Path

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from wagents.analysis.docket import DOCKET_URL_ENV, SHARED_SCHEMES
from wagents.analysis.pyast import constant_string, dotted_name, imports, nodes
from wagents.check.facts import ServerFacts
from wagents.check.rules import Problem, rule
from wagents.files.load import json_key_line, toml_key_line
from wagents.model import Severity
from wagents.workspace import requirements
from wagents.workspace.requirements import Requirement
from wagents.workspace.server import FASTMCP_JSON, PYPROJECT
from wagents.workspace.specifiers import admitted_outside
from wagents.workspace.uv import LOCKFILE

#: Modules FastMCP's API hands to server code (the seed's examples import them): allowed even
#: when only fastmcp brings them in. `[tool.wagents] allowed-imports` adds to this list.
DEFAULT_ALLOWED_IMPORTS = ("mcp", "pydantic", "starlette")
#: The fastmcp versions wagents supports.
FASTMCP_RANGE_TEXT = ">=3,<4"
FASTMCP_RANGE = SpecifierSet(FASTMCP_RANGE_TEXT)


def _requirements(items: object) -> tuple[Requirement, ...]:
    """The parseable requirement strings of a list (dependency-parity reports the others)."""
    return requirements.parse(items).requirements


def _item_line(text: str, item: str) -> int | None:
    """The first line holding `item` as a quoted string."""
    for number, line in enumerate(text.splitlines(), 1):
        if f'"{item}"' in line or f"'{item}'" in line:
            return number
    return None


# --- undeclared-import -------------------------------------------------------------------------


@rule("undeclared-import", Severity.ERROR)
def undeclared_import(facts: ServerFacts) -> Iterator[Problem]:
    """Every third-party module the server's code imports is a dependency its pyproject declares.

    All servers share the workspace's environment, so an import works there as long as any
    server (or wagents, or a test tool) installs the package; the server breaks the day it runs
    alone (`fastmcp run fastmcp.json`, a container, `uv run --package`). For each module imported
    by the server's code (tests excluded), the installed distribution that provides it
    (`importlib.metadata.packages_distributions()`) must be in `[project].dependencies`.

    It is an error when no declared dependency brings the distribution in, and a warning when it
    is only there because a declared dependency requires it (`httpx` through fastmcp: the server
    breaks the day fastmcp drops it). Standard-library modules, modules of the server directory
    and relative imports are fine, and so are imports that are optional (in a `try` that catches
    ImportError) or only for type checkers (`if TYPE_CHECKING:`). The modules FastMCP's own API
    hands to server code, `mcp`, `pydantic` and `starlette`, may come through fastmcp; the server's
    pyproject can allow more (`[tool.wagents] allowed-imports = ["httpx"]`). An allowed module
    must still be brought in by a declared dependency. When wagents runs in an environment that
    lacks one of the declared dependencies (a pre-commit hook's own venv), it reports only what
    that missing dependency cannot explain.

    Bad::

        # server.py
        import httpx            # pyproject: dependencies = ["fastmcp>=3,<4"]

    Good::

        # server.py
        import httpx            # pyproject: dependencies = ["fastmcp>=3,<4", "httpx>=0.28"]
    """
    if facts.files.pyproject is None or not facts.files.pyproject.ok:
        return
    allowed, problem = _allowed_imports(facts)
    if problem is not None:
        yield problem
    declared = _requirements(facts.files.project.get("dependencies"))
    declared_names: set[str] = {requirements.normalize(r.name) for r in declared}
    environment = facts.environment
    pulled = environment.pulled_in(declared)
    # A declared dependency missing here (wagents runs outside the workspace venv, as in a
    # pre-commit hook) may provide or require anything: then only what is certain is reported.
    complete = all(
        environment.installed(requirements.normalize(r.name))
        for r in declared
        if r.marker is None or r.marker.evaluate({"extra": ""})
    )
    local = facts.files.local_modules
    for path, loaded in facts.files.code_modules.items():
        if loaded.value is None:
            continue
        reported: set[str] = set()
        for found in imports(loaded.value):
            module = found.module
            if module in reported or module in local or module in sys.stdlib_module_names:
                continue
            reported.add(module)
            verdict = _classify(
                module, environment.providers(module), declared_names, pulled, allowed, complete
            )
            if verdict is not None:
                message, severity = verdict
                yield Problem(message, path, found.line, severity)


def _allowed_imports(facts: ServerFacts) -> tuple[set[str], Problem | None]:
    settings = facts.files.settings
    if settings.problem("allowed-imports") is None:
        return {*DEFAULT_ALLOWED_IMPORTS, *(settings.values.allowed_imports or ())}, None
    pyproject = facts.path / PYPROJECT
    problem = Problem(
        "[tool.wagents] allowed-imports must be a list of module names; using the default "
        f"({', '.join(DEFAULT_ALLOWED_IMPORTS)})",
        pyproject,
        toml_key_line(facts.files.pyproject.text or "", "allowed-imports")
        if facts.files.pyproject
        else None,
    )
    return set(DEFAULT_ALLOWED_IMPORTS), problem


def _classify(
    module: str,
    providers: frozenset[str],
    declared: set[str],
    pulled: dict[str, str],
    allowed: set[str],
    complete: bool,
) -> tuple[str, Severity] | None:
    if requirements.normalize(module) in declared or providers & declared:
        return None
    through = sorted({pulled[name] for name in providers if name in pulled})
    if not through and not complete:
        return None
    if not providers:
        return (
            f"imports {module}, which no installed distribution provides and pyproject.toml "
            "does not declare: add the distribution to [project].dependencies (and run uv sync)",
            Severity.ERROR,
        )
    names = ", ".join(sorted(providers))
    if not through:
        return (
            f"imports {module} (distribution {names}), which pyproject.toml does not declare "
            "and no declared dependency requires: add it to [project].dependencies and "
            "fastmcp.json environment.dependencies",
            Severity.ERROR,
        )
    if module in allowed:
        return None
    return (
        f"imports {module} (distribution {names}), which is installed only because "
        f"{', '.join(through)} requires it: declare it in [project].dependencies (and "
        "fastmcp.json) or list it in [tool.wagents] allowed-imports",
        Severity.WARNING,
    )


# --- python-version ----------------------------------------------------------------------------


@rule("python-version", Severity.ERROR)
def python_version(facts: ServerFacts) -> Iterator[Problem]:
    """fastmcp.json's `environment.python` is a Python the pyproject's `requires-python` admits.

    `fastmcp run fastmcp.json` asks uv for `environment.python`, while `uv sync` and the
    server's package metadata follow `requires-python`. When they disagree, one of them builds an
    environment the project says it cannot run in (or uv refuses to). A version like `"3.12"`
    means any 3.12.x; a specifier like `">=3.12"` must overlap `requires-python`.

    Bad::

        // fastmcp.json, with requires-python = ">=3.11" in pyproject.toml
        "environment": {"python": "3.10"}

    Good::

        "environment": {"python": "3.12"}
    """
    environment = (facts.files.config or {}).get("environment")
    wanted = environment.get("python") if isinstance(environment, dict) else None
    requires = facts.files.project.get("requires-python")
    if not isinstance(wanted, str) or not isinstance(requires, str):
        return
    config_path = facts.path / FASTMCP_JSON
    line = (
        json_key_line(facts.files.fastmcp_json.text or "", "python")
        if facts.files.fastmcp_json
        else None
    )
    try:
        admitted = SpecifierSet(requires)
    except InvalidSpecifier:
        yield Problem(
            f"requires-python {requires!r} is not a valid version specifier",
            facts.path / PYPROJECT,
            toml_key_line(facts.files.pyproject.text or "", "requires-python")
            if facts.files.pyproject
            else None,
        )
        return
    candidates = _python_candidates(wanted)
    if candidates is None:
        return  # an interpreter path or implementation name: nothing to compare
    if not any(admitted.contains(version, prereleases=True) for version in candidates):
        yield Problem(
            f"environment.python {wanted!r} is outside requires-python {requires!r} of "
            "pyproject.toml: pick a Python both admit",
            config_path,
            line,
        )


def _python_candidates(request: str) -> list[Version] | None:
    """Versions a uv Python request may select: `3.12` → 3.12.0 … 3.12.99; `>=3.12` → a range."""
    text = request.strip().lower()
    for prefix in ("cpython@", "cpython-", "cpython", "python"):
        if text.startswith(prefix) and text[len(prefix) : len(prefix) + 1].isdigit():
            text = text[len(prefix) :]
            break
    try:
        version = Version(text)
    except InvalidVersion:
        try:
            specifier = SpecifierSet(text)
        except InvalidSpecifier:
            return None
        return [
            Version(f"3.{minor}.{patch}")
            for minor in range(30)
            for patch in range(100)
            if specifier.contains(f"3.{minor}.{patch}", prereleases=True)
        ]
    if len(version.release) >= 3:
        return [version]
    major, minor = (*version.release, 0)[:2]
    return [Version(f"{major}.{minor}.{patch}") for patch in range(100)]


# --- docket-url --------------------------------------------------------------------------------


@rule("docket-url", Severity.ERROR)
def docket_url(facts: ServerFacts) -> Iterator[Problem]:
    """`FASTMCP_DOCKET_URL` uses a scheme Docket supports, and no shared workers use `memory://`.

    Docket (FastMCP's background-task engine) takes `memory://` (inside one process) or Redis:
    `redis://`, `rediss://`, `unix://`, `redis+sentinel://`, `redis+cluster://` (and their
    `rediss+` forms). Anything else, such as the `sqlite:///tasks.db` some guides show, fails
    when the server starts its task worker. The rule reads the URL where a server sets it:
    fastmcp.json `deployment.env`, the server's dotenv files and string literals in its code
    (`os.environ["FASTMCP_DOCKET_URL"] = ...`, `os.environ.get("FASTMCP_DOCKET_URL", ...)`,
    `fastmcp.settings.docket.url = ...`). A `${VAR}` reference is fine. `memory://` is a warning
    where extra workers are configured (a file of the server runs `fastmcp tasks worker` or
    `wagents worker`, or fastmcp.json passes `--workers`): workers in other processes cannot see
    an in-memory queue. The URL itself is never printed (it may hold a password).

    Bad::

        // fastmcp.json
        "deployment": {"env": {"FASTMCP_DOCKET_URL": "sqlite:///tasks.db"}}

    Good::

        "deployment": {"env": {"FASTMCP_DOCKET_URL": "${FASTMCP_DOCKET_URL}"}}
    """
    workers = _worker_config(facts)
    for url, path, line in _docket_urls(facts):
        value = url.strip()
        if not value or value.startswith("$"):
            continue  # unset (a default for code to handle), or a reference to the environment
        scheme, separator, _ = value.partition("://")
        scheme = scheme.lower()
        supported = ", ".join(f"{name}://" for name in ("memory", *SHARED_SCHEMES))
        if not separator:
            yield Problem(
                f"{DOCKET_URL_ENV} is not a URL: use redis://HOST:PORT/DB, or memory:// for one "
                "process",
                path,
                line,
            )
        elif scheme == "memory":
            if workers is not None:
                yield Problem(
                    f"{DOCKET_URL_ENV} is memory://, but extra workers are configured "
                    f"({workers}): they cannot share an in-memory queue; use Redis",
                    path,
                    line,
                    Severity.WARNING,
                )
        elif scheme not in SHARED_SCHEMES:
            shown = scheme.encode("unicode_escape").decode("ascii")[:40]
            yield Problem(
                f"{DOCKET_URL_ENV} uses the scheme {shown!r}, which Docket does not support "
                f"(use one of {supported})",
                path,
                line,
            )


def _docket_urls(facts: ServerFacts) -> Iterator[tuple[str, Path, int | None]]:
    env = facts.files.deployment_env
    if isinstance(env.get(DOCKET_URL_ENV), str):
        text = facts.files.fastmcp_json.text if facts.files.fastmcp_json else ""
        yield (
            env[DOCKET_URL_ENV],
            facts.path / FASTMCP_JSON,
            json_key_line(text or "", DOCKET_URL_ENV),
        )
    for path in facts.files.roles.dotenv:
        text = facts.files.texts.get(path)
        if text is None:
            continue
        for key, value, line in _dotenv_entries(text):
            if key == DOCKET_URL_ENV and value is not None:
                yield value, path, line
    for path, loaded in facts.files.code_modules.items():
        if loaded.value is not None:
            for value, line in _code_docket_urls(loaded.value):
                yield value, path, line


def _dotenv_entries(text: str) -> Iterator[tuple[str, str | None, int]]:
    """`(key, value, line)` of a dotenv file, parsed by python-dotenv (quotes, `export`, ...)."""
    from dotenv.parser import parse_stream

    for binding in parse_stream(StringIO(text)):
        if binding.key is not None and not binding.error:
            yield binding.key, binding.value, binding.original.line


def _code_docket_urls(module: ast.Module) -> Iterator[tuple[str, int]]:
    for node in nodes(module):
        values: list[ast.AST | None] = []
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if (
                    isinstance(target, ast.Subscript)
                    and constant_string(target.slice) == DOCKET_URL_ENV
                ) or (dotted_name(target) or "").endswith("docket.url"):
                    values.append(node.value)
        elif isinstance(node, ast.Call) and node.args:
            if constant_string(node.args[0]) == DOCKET_URL_ENV:
                values += node.args[1:2] + [k.value for k in node.keywords if k.arg == "default"]
        elif isinstance(node, ast.Dict):
            values += [
                v
                for k, v in zip(node.keys, node.values, strict=True)
                if constant_string(k) == DOCKET_URL_ENV
            ]
        for value in values:
            text = constant_string(value)
            if text is not None and value is not None:
                yield text, getattr(value, "lineno", None) or 0


def _worker_config(facts: ServerFacts) -> str | None:
    """Where the server configures extra task workers, if it does."""
    args = facts.files.deployment.get("args")
    if isinstance(args, list) and any(
        isinstance(a, str) and a.startswith("--workers") for a in args
    ):
        return "fastmcp.json deployment.args --workers"
    for path, text in facts.files.texts.items():
        for number, line in enumerate(text.splitlines(), 1):
            if "tasks worker" in line or "wagents worker" in line:
                return f"{facts.relative(path)}:{number}"
    return None


# --- fastmcp-version ---------------------------------------------------------------------------


@rule("fastmcp-version", Severity.ERROR)
def fastmcp_version(facts: ServerFacts) -> Iterator[Problem]:
    """The server requires fastmcp with a specifier inside `>=3,<4`.

    The servers here are written for FastMCP 3: v2 lacks its API and rejects its arguments, and
    4.x moved `fastmcp tasks` into a separate package. A requirement that admits any version
    outside `>=3,<4` (no upper bound, `>=2`, a 3.0 release candidate, or no fastmcp at all) lets
    uv pick a version the server cannot run on. Narrower ranges inside it (`>=3.4,<4`,
    `~=3.4`) are fine. Extras (`fastmcp[tasks]`) do not matter.

    Bad::

        dependencies = ["fastmcp>=3"]

    Good::

        dependencies = ["fastmcp>=3,<4"]
    """
    if (
        facts.files.pyproject is None
        or not facts.files.pyproject.ok
        or "project" not in (facts.files.pyproject.value or {})
    ):
        return
    pyproject = facts.path / PYPROJECT
    text = facts.files.pyproject.text or ""
    dependencies = facts.files.project.get("dependencies", [])
    if not isinstance(dependencies, list):
        return  # dependency-parity reports a dependencies value that is not a list
    found = [
        (item, requirement)
        for item in dependencies
        for requirement in _requirements([item])
        if requirements.normalize(requirement.name) == "fastmcp"
    ]
    if not found:
        yield Problem(
            'fastmcp is not in [project].dependencies: add "fastmcp>=3,<4"',
            pyproject,
            toml_key_line(text, "dependencies"),
        )
        return
    for item, requirement in found:
        if requirement.url:
            continue  # a direct reference: its version is whatever the URL holds
        outside = admitted_outside(requirement.specifier, FASTMCP_RANGE)
        if outside is not None:
            yield Problem(
                f"{item} admits fastmcp {outside}, outside {FASTMCP_RANGE_TEXT}: "
                f"require fastmcp{FASTMCP_RANGE_TEXT} (extras as needed)",
                pyproject,
                _item_line(text, item) or toml_key_line(text, "dependencies"),
            )


# --- lockfile ----------------------------------------------------------------------------------


@rule("lockfile", Severity.ERROR)
def lockfile(facts: ServerFacts) -> Iterator[Problem]:
    """The workspace's uv.lock exists and is up to date with every pyproject.toml.

    `uv sync --locked` in CI and `uv run --locked` refuse a stale lock, and a plain `uv run`
    silently re-resolves it, so what was tested is not what runs. wagents asks uv itself
    (`uv lock --check --offline`, once per run for the whole workspace). The lock is shared, so
    a missing or stale lock is reported on every server validated. Fix: `uv lock` at the root,
    or `wagents validate --fix`.

    Bad::

        $ uv add --package weather httpx --frozen   # pyproject changed, uv.lock did not

    Good::

        $ uv add --package weather httpx            # updates pyproject.toml and uv.lock
    """
    status = facts.environment.lock
    lock = facts.workspace.root / LOCKFILE
    match status.state:
        case "missing":
            yield Problem(
                "uv.lock is missing: run `uv lock` at the workspace root and commit it", lock
            )
        case "stale":
            detail = f" ({status.detail})" if status.detail else ""
            yield Problem(
                f"uv.lock is out of date with the pyproject files{detail}: run `uv lock`", lock
            )
        case "unknown":
            yield Problem(
                f"could not check uv.lock: {status.detail}", lock, severity=Severity.WARNING
            )


# --- pytest-asyncio-mode -----------------------------------------------------------------------

ASYNC_MARKS = ("mark.asyncio", "mark.anyio")


@rule("pytest-asyncio-mode", Severity.WARNING)
def pytest_asyncio_mode(facts: ServerFacts) -> Iterator[Problem]:
    """The server's async tests run with pytest-asyncio's `asyncio_mode = "auto"`.

    In pytest-asyncio's default strict mode an `async def test_...` without
    `@pytest.mark.asyncio` is not awaited: pytest fails it ("async def functions are not
    natively supported") or, with older versions, passes it without running it. The rule finds
    the configuration pytest uses for the server's tests (run from the server directory, as
    `wagents test` does: pytest.toml, pytest.ini, pyproject.toml `[tool.pytest.ini_options]`,
    tox.ini, setup.cfg, searched upwards) and reports async tests that are neither covered by
    `asyncio_mode = "auto"` there nor marked (`pytest.mark.asyncio` or `pytest.mark.anyio` on the
    test, its class or the module's `pytestmark`). `wagents validate --fix` adds the setting to
    the server's pyproject.toml.

    Bad::

        [tool.pytest.ini_options]
        testpaths = ["tests"]

    Good::

        [tool.pytest.ini_options]
        asyncio_mode = "auto"
        testpaths = ["tests"]
    """
    unmarked = [
        (path, line)
        for path, loaded in facts.files.test_modules.items()
        if loaded.value is not None
        for line in _unmarked_async_tests(loaded.value)
    ]
    if not unmarked:
        return
    config = facts.files.pytest_config
    if config.error is not None or config.asyncio_mode == "auto":
        return  # an unreadable config stops pytest itself, with its own message
    first_path, first_line = unmarked[0]
    where = facts.relative(config.path) if config.path else "no config file"
    mode = config.asyncio_mode or "strict (the default)"
    count = len(unmarked)
    target = (
        config.path if config.path and config.path.parent == facts.path else facts.path / PYPROJECT
    )
    yield Problem(
        f"{count} async test{'s' if count != 1 else ''} (first: "
        f"{facts.relative(first_path)}:{first_line}) run in asyncio_mode {mode} ({where}): "
        'set asyncio_mode = "auto" in [tool.pytest.ini_options] of the server\'s pyproject.toml',
        target,
        toml_key_line(facts.files.pyproject.text or "", "asyncio_mode")
        if facts.files.pyproject and target == facts.path / PYPROJECT
        else None,
    )


def _has_async_mark(node: ast.AST) -> bool:
    return any((dotted_name(sub) or "").endswith(ASYNC_MARKS) for sub in ast.walk(node))


def _unmarked_async_tests(module: ast.Module) -> list[int]:
    module_marked = any(
        isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets)
        and _has_async_mark(node.value)
        for node in module.body
    )
    if module_marked:
        return []
    lines = []
    for node in module.body:
        if isinstance(node, ast.AsyncFunctionDef) and node.name.startswith("test"):
            if not any(_has_async_mark(d) for d in node.decorator_list):
                lines.append(node.lineno)
        elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            if any(_has_async_mark(d) for d in node.decorator_list) or any(
                isinstance(s, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == "pytestmark" for t in s.targets)
                and _has_async_mark(s.value)
                for s in node.body
            ):
                continue
            lines += [
                item.lineno
                for item in node.body
                if isinstance(item, ast.AsyncFunctionDef)
                and item.name.startswith("test")
                and not any(_has_async_mark(d) for d in item.decorator_list)
            ]
    return lines

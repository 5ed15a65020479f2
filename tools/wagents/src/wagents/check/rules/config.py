"""Rules about fastmcp.json and the entrypoint it names."""

from __future__ import annotations

from collections.abc import Iterator

from wagents.analysis.pyast import top_level_names
from wagents.check.facts import ServerFacts, unknown_config_keys
from wagents.check.rules import Problem, Stage, rule
from wagents.files.load import json_key_line
from wagents.model import Severity
from wagents.probe.protocol import Status


@rule("fastmcp-json", Severity.ERROR, fastmcp_models=True)
def fastmcp_json(facts: ServerFacts) -> Iterator[Problem]:
    """fastmcp.json parses and is valid for FastMCP's own `MCPServerConfig`, with no unknown keys.

    The file is checked with the model `fastmcp run` itself loads
    (`fastmcp.utilities.mcp_server_config.MCPServerConfig`). That model silently ignores keys it
    does not know, so a typo such as `"enviroment"` would drop the whole section without a word:
    wagents reports every unknown key, with the closest known one.

    Bad::

        {"source": {"path": "server.py"}, "enviroment": {"dependencies": ["fastmcp>=3,<4"]}}

    Good::

        {"source": {"path": "server.py"}, "environment": {"dependencies": ["fastmcp>=3,<4"]}}
    """
    loaded = facts.files.fastmcp_json
    if loaded is None:
        return  # server-layout reports the missing file
    if loaded.error is not None:
        yield Problem(f"fastmcp.json {loaded.error.message}", loaded.path, loaded.error.line)
        return
    if not isinstance(loaded.value, dict):
        kind = type(loaded.value).__name__
        yield Problem(f"fastmcp.json must hold a JSON object, not a {kind}", loaded.path, 1)
        return
    text = loaded.text or ""
    known = facts.environment.fastmcp_config_keys
    for location, key, suggestion in unknown_config_keys(loaded.value, known):
        hint = f" (did you mean {suggestion!r}?)" if suggestion else ""
        yield Problem(
            f"fastmcp.json has an unknown key {'.'.join([*location, key])!r}{hint}; "
            "FastMCP ignores it silently",
            loaded.path,
            json_key_line(text, key),
        )
    for error in facts.environment.fastmcp_config_errors(loaded.value):
        if not error.location:
            yield Problem(f"fastmcp.json {error.message}", loaded.path)
            continue
        yield Problem(
            f"fastmcp.json: {error.location}: {error.message}",
            loaded.path,
            json_key_line(text, error.key) if error.key else None,
        )


@rule("entrypoint", Severity.ERROR, stage=Stage.RUNTIME)
def entrypoint(facts: ServerFacts) -> Iterator[Problem]:
    """fastmcp.json's `source.path` is a file inside the server and its entrypoint is defined there.

    `source.path` (default `server.py`) must stay inside the server directory (no `..` or
    absolute paths). The entrypoint is `source.entrypoint` (or the `file.py:object` suffix); when
    neither is given, FastMCP looks for `mcp`, `server` or `app`, and so does this rule. The name
    must be bound at the top level of the module; the import check then confirms it is a FastMCP
    instance.

    Bad::

        # fastmcp.json: "source": {"path": "server.py", "entrypoint": "server"}
        mcp = FastMCP("Weather")

    Good::

        # fastmcp.json: "source": {"path": "server.py", "entrypoint": "mcp"}
        mcp = FastMCP("Weather")
    """
    if facts.files.config is None:
        return
    config_path = facts.path / "fastmcp.json"
    if not facts.files.source_inside_server:
        yield Problem(
            f"source.path {facts.files.source_name!r} points outside the server directory",
            config_path,
            json_key_line(facts.files.fastmcp_json.text or "", "path")
            if facts.files.fastmcp_json
            else None,
        )
        return
    loaded = facts.files.source
    if loaded is None or loaded.value is None:
        return  # missing: server-layout; unparsable: import-check
    names = [facts.files.entrypoint] if facts.files.entrypoint else ["mcp", "server", "app"]
    bound = top_level_names(loaded.value)
    if "*" not in bound and not any(name in bound for name in names):
        wanted = names[0] if facts.files.entrypoint else "any of mcp, server, app"
        yield Problem(
            f"{facts.files.source_name} does not define {wanted} at the top level",
            loaded.path,
        )
        return
    runtime = facts.runtime
    if runtime is not None and runtime.status is Status.NO_SERVER:
        yield Problem(f"{facts.files.source_name}: {runtime.message}", loaded.path)

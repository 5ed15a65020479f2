"""Rules about the shape of a server directory and its place in the workspace."""

from __future__ import annotations

from collections.abc import Iterator

from packaging.utils import canonicalize_name

from wagents.check.facts import ServerFacts
from wagents.check.rules import Problem, rule
from wagents.files.load import toml_key_line
from wagents.model import Severity
from wagents.workspace.root import SERVERS_GROUP
from wagents.workspace.server import FASTMCP_JSON, PYPROJECT


@rule("server-layout", Severity.ERROR)
def server_layout(facts: ServerFacts) -> Iterator[Problem]:
    """A server directory holds its module, fastmcp.json and a pyproject.toml named after it.

    Every server lives in `mcp/<name>/` with `server.py` (or the module fastmcp.json's
    `source.path` names), `fastmcp.json` and `pyproject.toml`, whose `[project].name` is the
    directory name. `uv run wagents new <name>` creates all of them.

    Bad::

        # mcp/weather/pyproject.toml
        [project]
        name = "weather-server"

    Good::

        # mcp/weather/pyproject.toml
        [project]
        name = "weather"
    """
    for filename in (facts.files.source_name, FASTMCP_JSON, PYPROJECT):
        if filename == facts.files.source_name and not facts.files.source_inside_server:
            continue  # entrypoint reports a source.path outside the server
        if not facts.files.has(filename):
            yield Problem(f"{filename} is missing", facts.path)
    loaded = facts.files.pyproject
    if loaded is None:
        return
    if loaded.error is not None:
        yield Problem(f"{PYPROJECT} {loaded.error.message}", loaded.path, loaded.error.line)
        return
    if "project" not in (loaded.value or {}):
        yield Problem(f"{PYPROJECT} has no [project] table", loaded.path)
        return
    name = facts.files.project.get("name")
    if not isinstance(name, str):
        yield Problem(f"{PYPROJECT} has no [project].name", loaded.path)
    elif canonicalize_name(name) != canonicalize_name(facts.server.name):
        yield Problem(
            f"project name {name!r} does not match the directory name {facts.server.name!r}",
            loaded.path,
            toml_key_line(loaded.text or "", "name"),
        )


@rule("workspace-member", Severity.ERROR)
def workspace_member(facts: ServerFacts) -> Iterator[Problem]:
    """The root pyproject makes the server a workspace member and installs it.

    `[tool.uv.workspace].members` must cover `mcp/<name>` (the `mcp/*` glob does) without an
    `exclude` removing it, and the root must depend on the server (the `servers` dependency group
    with a `{ workspace = true }` source) so that `uv run` at the root installs its dependencies:
    a plain `uv sync` otherwise removes them. `uv run wagents new` does both;
    `wagents validate --fix` repairs a server that was copied in by hand.

    Bad::

        # root pyproject.toml, with a server in mcp/weather/
        [tool.uv.workspace]
        members = ["tools/wagents"]

    Good::

        # root pyproject.toml
        [dependency-groups]
        servers = ["weather"]

        [tool.uv.sources]
        weather = { workspace = true }

        [tool.uv.workspace]
        members = ["mcp/*", "tools/wagents"]
    """
    workspace = facts.workspace
    root_pyproject = workspace.root / PYPROJECT
    for message, key in workspace.shape_problems:
        yield Problem(message, root_pyproject, toml_key_line(workspace.pyproject.text or "", key))
    if not workspace.is_member(facts.path):
        yield Problem(
            f"not a workspace member: add {workspace.relative(facts.path)!r} to "
            "[tool.uv.workspace].members of the root pyproject.toml (or remove it from exclude)",
            root_pyproject,
        )
    name = canonicalize_name(str(facts.files.project.get("name") or facts.server.name))
    if name not in workspace.installed_names:
        yield Problem(
            f"the root environment does not install {name!r}: add it to the root's "
            f"[dependency-groups].{SERVERS_GROUP} (or run `wagents validate --fix`)",
            root_pyproject,
        )
    elif name not in workspace.workspace_sources():
        yield Problem(
            f"the root depends on {name!r} but [tool.uv.sources] does not map it to the "
            f"workspace: add `{name} = {{ workspace = true }}`",
            root_pyproject,
        )

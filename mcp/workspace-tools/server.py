"""Workspace Tools: this monorepo's own tooling (wagents) as an MCP server for coding agents.

Agents working in the repository can list its servers, validate them and read the findings,
look up what a rule means, and scaffold a new server, without shelling out to the CLI.
"""

from __future__ import annotations

import asyncio
import functools
import importlib.metadata
import logging
import os
import tomllib
from pathlib import Path
from typing import Annotated, Any

import fastmcp
from fastmcp import Context, FastMCP
from fastmcp.exceptions import ToolError
from mcp.types import ToolAnnotations
from pydantic import Field
from starlette.requests import Request
from starlette.responses import JSONResponse

from wagents.check.engine import Options, selected_rules, validate
from wagents.check.rules import all_rules
from wagents.model import UsageError
from wagents.scaffold.new import new_server
from wagents.workspace.root import Workspace


def server_version(name: str) -> str | None:
    """This server's own version, which clients see as `serverInfo.version`.

    `[project].version` of the pyproject.toml named `name` in this directory or above it: the
    workspace does not install its servers (`[tool.uv] package = false`), and a deployment
    copies pyproject.toml with the code. Else the installed distribution's version; else None,
    and FastMCP reports its own.
    """
    for directory in Path(__file__).resolve().parents:
        try:
            with (directory / "pyproject.toml").open("rb") as file:
                project = tomllib.load(file).get("project", {})
        except (OSError, tomllib.TOMLDecodeError):
            continue
        if project.get("name") == name and isinstance(project.get("version"), str):
            return str(project["version"])
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


if fastmcp.settings.docket.url.startswith("${"):
    # fastmcp.json passes FASTMCP_DOCKET_URL on as "${FASTMCP_DOCKET_URL}", and FastMCP keeps that
    # text as it is when the variable is unset; Docket cannot parse it. Unset means the default.
    logging.getLogger(__name__).warning(
        "FASTMCP_DOCKET_URL is not set: background tasks run inside this process (memory://)"
    )
    fastmcp.settings.docket.url = "memory://"

mcp = FastMCP(
    "Workspace Tools",
    instructions=(
        "Tools for the wagents monorepo of FastMCP servers: list the servers, validate them, "
        "explain validation rules and scaffold new servers."
    ),
    version=server_version("workspace-tools"),
    mask_error_details=True,
)

READ_ONLY = ToolAnnotations(
    readOnlyHint=True, destructiveHint=False, idempotentHint=True, openWorldHint=False
)


def _workspace() -> Workspace:
    """The workspace to serve: $WAGENTS_WORKSPACE, else the one this server lives in."""
    start = os.environ.get("WAGENTS_WORKSPACE") or Path(__file__).resolve().parent
    try:
        return Workspace.find(Path(start))
    except UsageError as exc:
        raise ToolError(str(exc)) from None


@mcp.tool(annotations=READ_ONLY)
def list_servers() -> list[dict[str, Any]]:
    """List the MCP servers of the workspace with their description and transport."""
    from wagents.workspace.server import ServerFiles

    workspace = _workspace()
    servers = []
    for server in workspace.servers():
        facts = ServerFiles(server, workspace)
        deployment = (facts.config or {}).get("deployment")
        servers.append(
            {
                "name": server.name,
                "path": workspace.relative(server.path),
                "description": facts.project.get("description", ""),
                "transport": (deployment or {}).get("transport", "stdio")
                if isinstance(deployment, dict)
                else "stdio",
            }
        )
    return servers


@mcp.tool(annotations=READ_ONLY)
def validate_servers(
    names: Annotated[
        list[str] | None,
        Field(description="Servers to validate; omit to validate every server of the workspace."),
    ] = None,
    rules: Annotated[
        list[str] | None,
        Field(description="Rule slugs to run (see list_rules); omit to run every rule."),
    ] = None,
) -> dict[str, Any]:
    """Validate servers as `wagents validate` does and return the findings and a summary."""
    workspace = _workspace()
    try:
        servers = workspace.select(names or [])
        report = validate(workspace, servers, Options(select=tuple(rules or ())))
    except UsageError as exc:
        raise ToolError(str(exc)) from None
    return {
        "findings": [finding.as_dict() for finding in report.findings],
        "summary": report.summary,
    }


@mcp.tool(task=True, annotations=READ_ONLY)
async def validate_workspace(
    ctx: Context,
    rules: Annotated[
        list[str] | None,
        Field(description="Rule slugs to run (see list_rules); omit to run every rule."),
    ] = None,
) -> dict[str, Any]:
    """Validate every server of the workspace as a background task, with progress per server.

    Each server is imported in a process of its own, so a large workspace takes a while: call
    this with `task=True` and read the result when the task completes. The result holds the
    findings, a summary and one entry per server (its errors and warnings).
    """
    workspace = _workspace()
    servers = workspace.servers()
    options = Options(select=tuple(rules or ()))
    try:
        selected_rules(options)  # unknown slugs fail now, not after the probes
    except UsageError as exc:
        raise ToolError(str(exc)) from None
    total = len(servers)
    await ctx.report_progress(0, total, f"validating {total} servers")
    checked: list[str] = []
    loop = asyncio.get_running_loop()

    def server_done(name: str) -> None:  # called in the validation thread, once per server
        checked.append(name)
        message = f"{len(checked)}/{total} servers checked ({name})"
        report = ctx.report_progress(len(checked), total, message)
        asyncio.run_coroutine_threadsafe(report, loop).result()

    report = await asyncio.to_thread(
        functools.partial(validate, workspace, servers, options, on_server_done=server_done)
    )
    await ctx.report_progress(total, total, f"{total}/{total} servers validated")
    per_server = {
        name: {"name": name, "errors": 0, "warnings": 0, "info": 0} for name in report.servers
    }
    for finding in report.findings:
        key = {"error": "errors", "warning": "warnings"}.get(str(finding.severity), "info")
        per_server[finding.server][key] += 1
    return {
        "findings": [finding.as_dict() for finding in report.findings],
        "summary": report.summary,
        "servers": list(per_server.values()),
    }


@mcp.tool(annotations=READ_ONLY)
def list_rules() -> list[dict[str, str]]:
    """List every validation rule: its slug, default severity and one-line summary."""
    return [
        {"slug": item.slug, "severity": str(item.severity), "summary": item.summary}
        for item in all_rules().values()
    ]


@mcp.tool(annotations=READ_ONLY)
def explain_rule(
    slug: Annotated[str, Field(description="The rule's slug, e.g. 'dependency-parity'.")],
) -> str:
    """Return the full documentation of one validation rule, with a bad and a good example."""
    return _rule_doc(slug)


@mcp.resource("wagents://rules/{slug}", mime_type="text/markdown")
def rule_doc(slug: str) -> str:
    """The documentation of one validation rule."""
    return _rule_doc(slug)


def _rule_doc(slug: str) -> str:
    registry = all_rules()
    if slug not in registry:
        raise ToolError(f"unknown rule {slug!r}; known rules: {', '.join(registry)}")
    item = registry[slug]
    return f"# {item.slug} ({item.severity})\n\n{item.doc}\n"


@mcp.tool(
    annotations=ToolAnnotations(
        readOnlyHint=False, destructiveHint=False, idempotentHint=False, openWorldHint=False
    )
)
def scaffold_server(
    name: Annotated[
        str, Field(description="New server name: lowercase letters, digits and single hyphens.")
    ],
    description: Annotated[
        str, Field(description="One line saying what the new server does.")
    ] = "",
) -> dict[str, Any]:
    """Create mcp/NAME/ from the wagents templates and register it in the root pyproject.

    Nothing is installed: run `uv lock && uv sync` afterwards (or `uv run`, which syncs).
    """
    workspace = _workspace()
    try:
        created = new_server(workspace, name, description)
    except UsageError as exc:
        raise ToolError(str(exc)) from None
    return {"path": workspace.relative(created.path), "files": created.files}


@mcp.custom_route("/health", methods=["GET"])
async def health(request: Request) -> JSONResponse:
    """Liveness probe for load balancers and container health checks (no auth, no data)."""
    return JSONResponse({"status": "healthy"})


app = mcp.http_app(host_origin_protection="auto")


if __name__ == "__main__":
    if os.environ.get("MCP_TRANSPORT", "stdio") == "http":
        mcp.run(
            transport="http",
            host=os.environ.get("HOST", "127.0.0.1"),
            port=int(os.environ.get("PORT", "8000")),
            host_origin_protection="auto",
        )
    else:
        mcp.run()

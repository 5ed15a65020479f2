"""Case Surface Drift Parameter Renamed: Case Surface Drift Parameter Renamed MCP server."""

from __future__ import annotations

import importlib.metadata
import os
import tomllib
from pathlib import Path
from typing import Annotated

from fastmcp import FastMCP
from mcp.types import ToolAnnotations
from pydantic import Field
from starlette.requests import Request
from starlette.responses import JSONResponse


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


# mask_error_details: clients see "Error calling tool", not the exception text of internal errors.
mcp = FastMCP(
    "Case Surface Drift Parameter Renamed",
    instructions="Case Surface Drift Parameter Renamed MCP server.",
    version=server_version("${name}"),
    mask_error_details=True,
)


@mcp.tool(
    annotations=ToolAnnotations(
        readOnlyHint=True, destructiveHint=False, idempotentHint=True, openWorldHint=False
    )
)
def echo(message: Annotated[str, Field(description="The text to send back unchanged.")]) -> str:
    """Return the text unchanged (replace this tool with the server's real ones)."""
    return message


@mcp.custom_route("/health", methods=["GET"])
async def health(request: Request) -> JSONResponse:
    """Liveness probe for load balancers and container health checks (no auth, no data)."""
    return JSONResponse({"status": "healthy"})


# ASGI entry for uvicorn (`uvicorn server:app`). "auto" Host/Origin protection refuses
# DNS-rebinding requests to a loopback-bound server and honours FASTMCP_HTTP_ALLOWED_HOSTS/ORIGINS.
app = mcp.http_app(host_origin_protection="auto")


if __name__ == "__main__":
    # stdio unless MCP_TRANSPORT=http; HTTP binds 127.0.0.1 unless HOST says otherwise (containers).
    if os.environ.get("MCP_TRANSPORT", "stdio") == "http":
        mcp.run(
            transport="http",
            host=os.environ.get("HOST", "127.0.0.1"),
            port=int(os.environ.get("PORT", "8000")),
            host_origin_protection="auto",
        )
    else:
        mcp.run()

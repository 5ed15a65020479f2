"""Imports tomlkit, which the workspace environment has (wagents needs it) and this server never declared."""

import tomlkit  # noqa: F401
from fastmcp import FastMCP

mcp = FastMCP("Workspace Only", mask_error_details=True)


@mcp.resource("data://status")
def status() -> str:
    """Whether the server is up."""
    return "ok"

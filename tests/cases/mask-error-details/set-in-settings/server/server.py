"""Masks error details through FastMCP's settings, before creating the server."""

import fastmcp
from fastmcp import FastMCP

fastmcp.settings.mask_error_details = True
mcp = FastMCP("Masked by settings")


@mcp.resource("data://greeting")
def greeting() -> str:
    """A greeting."""
    return "hello"

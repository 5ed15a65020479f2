"""httpx comes through fastmcp, and the pyproject says that is fine."""

import httpx
from fastmcp import FastMCP

mcp = FastMCP("Weather", mask_error_details=True)


@mcp.resource("data://status")
def status() -> str:
    """Whether the server is up."""
    return "ok"

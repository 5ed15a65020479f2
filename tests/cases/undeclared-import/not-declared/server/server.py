"""Imports packages the pyproject does not declare."""

import httpx
import tomlkit
from fastmcp import FastMCP
from mcp.types import ToolAnnotations
from starlette.responses import JSONResponse

mcp = FastMCP("Weather", mask_error_details=True)


@mcp.resource("data://status")
def status() -> str:
    """Whether the server is up."""
    return "ok"

"""${name}: a golden case."""

from __future__ import annotations

from urllib.parse import urlparse

import httpx

from fastmcp import FastMCP
from fastmcp.exceptions import ToolError

mcp = FastMCP("Docs")
ALLOWED_HOSTS = {"docs.python.org", "peps.python.org"}


@mcp.tool
async def read_docs(url: str) -> str:
    """Fetch a page of the Python documentation."""
    parsed = urlparse(url)
    if parsed.scheme != "https" or parsed.hostname not in ALLOWED_HOSTS:
        raise ToolError("only https pages of docs.python.org and peps.python.org")
    async with httpx.AsyncClient(timeout=20) as client:
        return (await client.get(url)).text

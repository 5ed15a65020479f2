"""${name}: a golden case."""

from __future__ import annotations

import httpx

from fastmcp import FastMCP

mcp = FastMCP("Fetch")


@mcp.tool
async def fetch(url: str) -> str:
    """Fetch a web page and return its text."""
    async with httpx.AsyncClient(follow_redirects=True, timeout=20) as client:
        response = await client.get(url)
        return response.text

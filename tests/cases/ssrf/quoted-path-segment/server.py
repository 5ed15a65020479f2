"""${name}: a golden case."""

from __future__ import annotations

from urllib.parse import quote

import httpx

from fastmcp import FastMCP

mcp = FastMCP("GitHub")
API = "https://api.github.com"


@mcp.tool
async def user(login: str) -> dict:
    """A GitHub user's public profile."""
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.get(f"{API}/users/{quote(login, safe='')}")
        return response.json()


@mcp.tool
def repo(owner: str, name: str) -> dict:
    """A repository's metadata."""
    return httpx.get(f"https://api.github.com/repos/{owner}/{name}", timeout=10).json()

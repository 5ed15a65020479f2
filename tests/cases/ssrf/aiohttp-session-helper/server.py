"""${name}: a golden case."""

from __future__ import annotations

import aiohttp

from fastmcp import FastMCP

mcp = FastMCP("Preview")


async def _get_json(address: str) -> dict:
    async with aiohttp.ClientSession() as session:
        async with session.get(address) as response:
            return await response.json()


@mcp.tool
async def preview(link: str) -> dict:
    """Preview the metadata of a link."""
    return await _get_json(link)

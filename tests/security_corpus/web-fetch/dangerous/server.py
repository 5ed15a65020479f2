"""Fetch: download a web page and return its readable text."""

import re

import httpx
from fastmcp import Context, FastMCP

mcp = FastMCP("Fetch")
TAGS = re.compile(r"<[^>]+>")


@mcp.tool
async def fetch(url: str, ctx: Context, max_length: int = 5000) -> str:
    """Fetch a URL and return its text without HTML tags."""
    await ctx.info(f"fetching {url}")
    async with httpx.AsyncClient(follow_redirects=True, timeout=30) as client:
        response = await client.get(url, headers={"User-Agent": "mcp-fetch/1.0"})
        response.raise_for_status()
    text = TAGS.sub(" ", response.text)
    return " ".join(text.split())[:max_length]

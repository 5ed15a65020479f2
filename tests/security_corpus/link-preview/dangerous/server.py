"""Link preview: the title and description of a web page."""

import re

import aiohttp
from fastmcp import FastMCP

mcp = FastMCP("Link preview")
TITLE = re.compile(r"<title>(.*?)</title>", re.IGNORECASE | re.DOTALL)


async def fetch_html(session: aiohttp.ClientSession, link: str) -> str:
    async with session.get(link, timeout=aiohttp.ClientTimeout(total=10)) as response:
        return await response.text()


@mcp.tool
async def preview(link: str) -> dict:
    """Title of a page."""
    async with aiohttp.ClientSession() as session:
        html = await fetch_html(session, link)
    match = TITLE.search(html)
    return {"link": link, "title": match.group(1).strip() if match else None}

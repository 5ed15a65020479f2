"""${name}: a golden case."""

from __future__ import annotations

import requests

from fastmcp import FastMCP

mcp = FastMCP("Search")


@mcp.tool
def search(query: str) -> list[dict]:
    """Search the catalogue."""
    response = requests.get("https://search.example.com/api", params={"q": query}, timeout=10)
    return response.json()["results"]

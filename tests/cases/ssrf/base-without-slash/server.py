"""${name}: a golden case."""

from __future__ import annotations

import httpx

from fastmcp import FastMCP

mcp = FastMCP("API")
BASE_URL = "https://api.example.com"


@mcp.tool
def call_api(path: str) -> dict:
    """Call an endpoint of the API, e.g. '/v1/items'."""
    return httpx.get(BASE_URL + path, timeout=10).json()

"""Internal API: call read-only endpoints of the inventory service."""

import os
from urllib.parse import quote

import httpx
from fastmcp import FastMCP

mcp = FastMCP("Inventory API")
BASE = os.environ.get("INVENTORY_URL", "https://inventory.internal.example")


@mcp.tool
async def item(item_id: str) -> dict:
    """One item of the inventory."""
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.get(f"{BASE}/v1/items/{quote(item_id, safe='')}")
        return response.json()

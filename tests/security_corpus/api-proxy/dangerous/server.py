"""Internal API: call read-only endpoints of the inventory service."""

import os

import httpx
from fastmcp import FastMCP

mcp = FastMCP("Inventory API")
BASE = os.environ.get("INVENTORY_URL", "https://inventory.internal.example")


@mcp.tool
async def call(endpoint: str) -> dict:
    """GET an endpoint such as '/v1/items/42'."""
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.get(f"{BASE}{endpoint}")
        return response.json()

"""${name}: a golden case."""

from __future__ import annotations

import httpx

from fastmcp import FastMCP

mcp = FastMCP("Weather")


@mcp.tool
async def forecast(city: str, days: int = 3) -> dict:
    """The forecast for a city."""
    async with httpx.AsyncClient(base_url="https://api.weather.example/v2/", timeout=10) as client:
        response = await client.get(f"/forecast/{city}", params={"days": days, "q": city})
        return response.json()

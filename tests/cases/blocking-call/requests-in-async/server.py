"""${name}: a golden case."""

from __future__ import annotations

import requests

from fastmcp import FastMCP

mcp = FastMCP("Weather")


@mcp.tool
async def forecast(city: str) -> dict:
    """The forecast for a city."""
    response = requests.get("https://api.weather.example/v1/forecast", params={"q": city},
                            timeout=10)
    return response.json()

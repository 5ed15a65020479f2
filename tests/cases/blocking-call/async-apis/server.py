"""${name}: a golden case."""

from __future__ import annotations

import asyncio

import httpx

from fastmcp import FastMCP

mcp = FastMCP("Weather")


@mcp.tool
async def forecast(city: str) -> dict:
    """The forecast for a city."""
    await asyncio.sleep(0)
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.get("https://api.weather.example/v1/forecast", params={"q": city})
    process = await asyncio.create_subprocess_exec("true")
    await process.wait()
    return response.json()

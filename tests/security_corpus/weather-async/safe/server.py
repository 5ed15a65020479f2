"""Weather: forecasts from the Open-Meteo API."""

import httpx
from fastmcp import FastMCP

mcp = FastMCP("Weather")
GEOCODE = "https://geocoding-api.open-meteo.com/v1/search"
FORECAST = "https://api.open-meteo.com/v1/forecast"


async def _coordinates(client: httpx.AsyncClient, city: str) -> tuple[float, float]:
    result = (await client.get(GEOCODE, params={"name": city, "count": 1})).json()
    place = result["results"][0]
    return place["latitude"], place["longitude"]


@mcp.tool
async def forecast(city: str, days: int = 3) -> dict:
    """Daily forecast for a city."""
    async with httpx.AsyncClient(timeout=10) as client:
        latitude, longitude = await _coordinates(client, city)
        response = await client.get(
            FORECAST,
            params={
                "latitude": latitude,
                "longitude": longitude,
                "forecast_days": days,
                "daily": "temperature_2m_max,temperature_2m_min",
            },
        )
    return response.json()["daily"]

"""Weather: forecasts from the Open-Meteo API."""

import requests
from fastmcp import FastMCP

mcp = FastMCP("Weather")
GEOCODE = "https://geocoding-api.open-meteo.com/v1/search"
FORECAST = "https://api.open-meteo.com/v1/forecast"


def _coordinates(city: str) -> tuple[float, float]:
    result = requests.get(GEOCODE, params={"name": city, "count": 1}, timeout=10).json()
    place = result["results"][0]
    return place["latitude"], place["longitude"]


@mcp.tool
async def forecast(city: str, days: int = 3) -> dict:
    """Daily forecast for a city."""
    latitude, longitude = _coordinates(city)
    response = requests.get(
        FORECAST,
        params={
            "latitude": latitude,
            "longitude": longitude,
            "forecast_days": days,
            "daily": "temperature_2m_max,temperature_2m_min",
        },
        timeout=10,
    )
    return response.json()["daily"]

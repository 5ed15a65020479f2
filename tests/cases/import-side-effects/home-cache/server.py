"""Keeps a cache under the user's home directory, created when the server starts."""

from contextlib import asynccontextmanager
from pathlib import Path

from fastmcp import FastMCP


@asynccontextmanager
async def lifespan(server):
    cache = Path.home() / ".cache" / "weather-server"
    cache.mkdir(parents=True, exist_ok=True)
    (cache / "stations.json").write_text("{}")
    yield {}


mcp = FastMCP("Weather", lifespan=lifespan, mask_error_details=True)


@mcp.tool
def stations() -> int:
    """Count the stations."""
    return 0

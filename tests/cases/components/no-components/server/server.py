"""Registers its tool on another server object than the one fastmcp.json names."""

from fastmcp import FastMCP

mcp = FastMCP("Empty", mask_error_details=True)
other = FastMCP("Other")


@other.tool
def forecast(city: str) -> str:
    """Return a forecast."""
    return city

"""Credentials written into the code."""

from fastmcp import FastMCP

mcp = FastMCP("Payments", mask_error_details=True)
STRIPE_KEY = "sk_live_4eC39HqLyjWDarjtT1zdp7dc"
db_password = "correct-horse-battery-staple"
CACHE_URL = "redis://:hunter2hunter2@cache.internal:6379/0"


@mcp.resource("data://status")
def status() -> str:
    """Whether the server is up."""
    return "ok"

"""Prints a banner while being imported."""

from fastmcp import FastMCP

mcp = FastMCP("Chatty", mask_error_details=True)
print("Chatty server ready")


@mcp.resource("data://status")
def status() -> str:
    """Whether the server is up."""
    return "ok"

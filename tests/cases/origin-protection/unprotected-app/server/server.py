"""Serves HTTP through uvicorn without the Host/Origin guard."""

from fastmcp import FastMCP

mcp = FastMCP("Open", mask_error_details=True)


@mcp.resource("data://greeting")
def greeting() -> str:
    """A greeting."""
    return "hello"


app = mcp.http_app()

"""No module-level app: --live serves mcp.http_app(), as `fastmcp run --transport http` would."""

from fastmcp import FastMCP

mcp = FastMCP("No App", mask_error_details=True)


@mcp.tool
def echo(text: str) -> str:
    """Return the text."""
    return text

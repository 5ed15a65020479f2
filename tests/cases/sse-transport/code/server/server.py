"""Serves the deprecated SSE transport."""

from fastmcp import FastMCP

mcp = FastMCP("Weather", mask_error_details=True)
app = mcp.http_app(transport="sse", host_origin_protection="auto")


@mcp.resource("data://status")
def status() -> str:
    """Whether the server is up."""
    return "ok"


if __name__ == "__main__":
    mcp.run("sse")

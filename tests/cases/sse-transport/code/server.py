"""Serves the deprecated SSE transport."""

from fastmcp import FastMCP

mcp = FastMCP("Weather")
app = mcp.http_app(transport="sse")

if __name__ == "__main__":
    mcp.run("sse")

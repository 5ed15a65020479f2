"""A v2-style server: transport settings passed to the constructor."""

from fastmcp import FastMCP

mcp = FastMCP(
    "Weather",
    host="0.0.0.0",
    port=8000,
    stateless_http=True,
)

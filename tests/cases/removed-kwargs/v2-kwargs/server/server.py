"""A v2-style server: transport settings passed to the constructor."""

from fastmcp import FastMCP

mcp = FastMCP(
    "Weather",
    host="127.0.0.1",
    port=8000,
    stateless_http=True,
)

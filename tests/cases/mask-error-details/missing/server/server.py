"""Sends exception texts to clients."""

from fastmcp import FastMCP

mcp = FastMCP(
    "Leaky",
    instructions="Tells clients everything.",
)


@mcp.resource("data://greeting")
def greeting() -> str:
    """A greeting."""
    return "hello"

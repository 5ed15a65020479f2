"""Shows exception texts to clients, on purpose (and says so in pyproject.toml)."""

from fastmcp import FastMCP

mcp = FastMCP("Verbose")


@mcp.resource("data://greeting")
def greeting() -> str:
    """A greeting."""
    return "hello"

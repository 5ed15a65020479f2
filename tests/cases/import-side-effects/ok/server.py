"""Reads nothing, writes nothing: importing it leaves no trace."""

from fastmcp import FastMCP

mcp = FastMCP("Prompts only", mask_error_details=True)


@mcp.prompt
def review(code: str) -> str:
    """Ask for a code review."""
    return f"Review this code:\n{code}"

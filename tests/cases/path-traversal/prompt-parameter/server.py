"""${name}: a golden case."""

from __future__ import annotations

from pathlib import Path

from fastmcp import FastMCP

mcp = FastMCP("Review")


@mcp.prompt
def review(file: str) -> str:
    """Ask for a review of a file."""
    source = Path(file).read_text()
    return f"Review this code:\n\n{source}"

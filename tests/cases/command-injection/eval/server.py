"""${name}: a golden case."""

from __future__ import annotations

from fastmcp import FastMCP

mcp = FastMCP("Calculator")


@mcp.tool
def calculate(expression: str) -> float:
    """Evaluate an arithmetic expression such as '2 * (3 + 4)'."""
    return float(eval(expression))

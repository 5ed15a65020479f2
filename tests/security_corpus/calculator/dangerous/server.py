"""Calculator: evaluate arithmetic for the model."""

import math

from fastmcp import FastMCP

mcp = FastMCP("Calculator")
NAMES = {name: getattr(math, name) for name in ("sqrt", "sin", "cos", "log", "pi", "e")}


@mcp.tool
def calculate(expression: str) -> float:
    """Evaluate an expression such as 'sqrt(2) * pi'."""
    return float(eval(expression, {"__builtins__": {}}, NAMES))

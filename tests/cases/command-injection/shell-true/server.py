"""${name}: a golden case."""

from __future__ import annotations

import subprocess

from fastmcp import FastMCP

mcp = FastMCP("Grep")


@mcp.tool
def grep(pattern: str, path: str = ".") -> str:
    """Search files for a pattern."""
    result = subprocess.run(f"grep -rn {pattern} {path}", shell=True, capture_output=True, text=True)
    return result.stdout

"""${name}: a golden case."""

from __future__ import annotations

import shlex
import subprocess

from fastmcp import FastMCP

mcp = FastMCP("Grep")


@mcp.tool
def grep(pattern: str) -> str:
    """Search the repository for a pattern."""
    command = f"grep -rn -- {shlex.quote(pattern)} . | head -50"
    return subprocess.run(command, shell=True, capture_output=True, text=True).stdout

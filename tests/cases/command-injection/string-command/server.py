"""${name}: a golden case."""

from __future__ import annotations

import subprocess

from fastmcp import FastMCP

mcp = FastMCP("Runner")


@mcp.tool
def run(command: str) -> str:
    """Run a program and return its output."""
    return subprocess.check_output(command, text=True)

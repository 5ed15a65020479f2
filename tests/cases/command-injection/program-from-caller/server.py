"""${name}: a golden case."""

from __future__ import annotations

import subprocess

from fastmcp import FastMCP

mcp = FastMCP("Runner")


@mcp.tool
def run(program: str, args: list[str]) -> str:
    """Run a program with arguments."""
    return subprocess.run([program, *args], capture_output=True, text=True).stdout

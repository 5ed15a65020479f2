"""${name}: a golden case."""

from __future__ import annotations

import subprocess

from fastmcp import FastMCP

mcp = FastMCP("Git")


@mcp.tool
def last_commit() -> str:
    """Show the last commit."""
    return subprocess.run("git log -1 --format=%H%n%s", shell=True, capture_output=True,
                          text=True).stdout

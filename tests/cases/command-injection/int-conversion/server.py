"""${name}: a golden case."""

from __future__ import annotations

import os

from fastmcp import FastMCP

mcp = FastMCP("Processes")


@mcp.tool
def renice(pid: str, priority: str) -> int:
    """Change the priority of a process."""
    return os.system(f"renice -n {int(priority)} -p {int(pid)}")

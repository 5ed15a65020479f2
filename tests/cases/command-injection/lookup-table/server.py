"""${name}: a golden case."""

from __future__ import annotations

import subprocess

from fastmcp import FastMCP

mcp = FastMCP("Ops")
COMMANDS = {
    "disk": ["df", "-h"],
    "memory": ["free", "-m"],
    "uptime": ["uptime"],
}


@mcp.tool
def report(kind: str) -> str:
    """Run one of the fixed diagnostics: disk, memory or uptime."""
    return subprocess.run(COMMANDS[kind], capture_output=True, text=True).stdout

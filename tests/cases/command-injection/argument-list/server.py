"""${name}: a golden case."""

from __future__ import annotations

import subprocess

from fastmcp import FastMCP

mcp = FastMCP("Git")


@mcp.tool
def log(ref: str, limit: int = 10) -> str:
    """Show the last commits of a ref."""
    command = ["git", "log", "--oneline", f"-{limit}"]
    command.append("--")
    command.append(ref)
    return subprocess.run(command, capture_output=True, text=True, check=False).stdout

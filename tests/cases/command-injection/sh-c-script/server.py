"""${name}: a golden case."""

from __future__ import annotations

import subprocess

from fastmcp import FastMCP

mcp = FastMCP("Scripts")


@mcp.tool
def script(body: str) -> str:
    """Run a small shell script."""
    return subprocess.run(["bash", "-c", body], capture_output=True, text=True).stdout

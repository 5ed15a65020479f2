"""${name}: a golden case."""

from __future__ import annotations

import asyncio
import subprocess

from fastmcp import FastMCP

mcp = FastMCP("Runner")


@mcp.tool
async def run(command: str) -> str:
    """Run a shell command in a worker thread."""
    result = await asyncio.to_thread(subprocess.run, command, shell=True, capture_output=True)
    return result.stdout.decode()

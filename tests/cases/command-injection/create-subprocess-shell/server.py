"""${name}: a golden case."""

from __future__ import annotations

import asyncio

from fastmcp import FastMCP

mcp = FastMCP("Runner")


@mcp.tool
async def run(command: str) -> str:
    """Run a shell command."""
    process = await asyncio.create_subprocess_shell(command, stdout=asyncio.subprocess.PIPE)
    output, _ = await process.communicate()
    return output.decode()

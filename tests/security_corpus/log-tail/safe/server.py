"""Logs: tail the journal of a service."""

import asyncio
from typing import Literal

from fastmcp import Context, FastMCP

mcp = FastMCP("Logs")
Unit = Literal["nginx", "postgresql", "app"]


async def _journal(unit: str, lines: int) -> str:
    process = await asyncio.create_subprocess_exec(
        "journalctl", "-u", unit, "-n", str(lines), "--no-pager", stdout=asyncio.subprocess.PIPE
    )
    output, _ = await process.communicate()
    return output.decode()


@mcp.tool
async def tail(unit: Unit, ctx: Context, lines: int = 100) -> str:
    """The last lines of a service's journal."""
    await ctx.info(f"reading {lines} lines of {unit}")
    return await _journal(unit, lines)

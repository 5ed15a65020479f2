"""Logs: tail the journal of a service."""

import subprocess
from typing import Literal

from fastmcp import Context, FastMCP

mcp = FastMCP("Logs")
Unit = Literal["nginx", "postgresql", "app"]


def _journal(unit: str, lines: int) -> str:
    return subprocess.check_output(
        ["journalctl", "-u", unit, "-n", str(lines), "--no-pager"], text=True
    )


@mcp.tool
async def tail(unit: Unit, ctx: Context, lines: int = 100) -> str:
    """The last lines of a service's journal."""
    await ctx.info(f"reading {lines} lines of {unit}")
    return _journal(unit, lines)

"""${name}: a golden case."""

from __future__ import annotations

import time

from fastmcp import FastMCP

mcp = FastMCP("Poller")


@mcp.tool
async def wait_for(seconds: float) -> str:
    """Wait, then answer."""
    time.sleep(seconds)
    return "done"

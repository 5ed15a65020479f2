"""${name}: a golden case."""

from __future__ import annotations

import asyncio
import functools
import subprocess

import anyio

from fastmcp import FastMCP

mcp = FastMCP("Ops")


def _disk_usage() -> str:
    return subprocess.run(["df", "-h"], capture_output=True, text=True).stdout


@mcp.tool
async def disk() -> str:
    """Disk usage."""
    return await asyncio.to_thread(_disk_usage)


@mcp.tool
async def memory() -> str:
    """Memory usage."""
    loop = asyncio.get_running_loop()
    run = functools.partial(subprocess.run, ["free", "-m"], capture_output=True, text=True)
    return (await loop.run_in_executor(None, run)).stdout


@mcp.tool
async def load() -> str:
    """Load average."""
    return await anyio.to_thread.run_sync(lambda: subprocess.check_output(["uptime"], text=True))

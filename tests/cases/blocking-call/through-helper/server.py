"""${name}: a golden case."""

from __future__ import annotations

import subprocess

from fastmcp import FastMCP

mcp = FastMCP("Git")


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], capture_output=True, text=True, check=False).stdout


def _status() -> str:
    return _git("status", "--short")


@mcp.tool
async def status() -> str:
    """The working tree status."""
    return _status()

"""${name}: a golden case."""

from __future__ import annotations

import subprocess

from fastmcp import FastMCP

mcp = FastMCP("Git")


def _git(arguments: str) -> str:
    return subprocess.run("git " + arguments, shell=True, capture_output=True, text=True).stdout


@mcp.tool
def log(ref: str) -> str:
    """Show the log of a ref."""
    return _git(f"log --oneline {ref}")

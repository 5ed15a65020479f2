"""${name}: a golden case."""

from __future__ import annotations

import shlex
import subprocess

from fastmcp import FastMCP

mcp = FastMCP("Runner")


@mcp.tool
def run(command_line: str) -> str:
    """Run a command line (split like a shell would, but without one)."""
    return subprocess.run(shlex.split(command_line), capture_output=True, text=True).stdout

"""${name}: a golden case."""

from __future__ import annotations

import subprocess

from fastmcp import FastMCP
from fastmcp.exceptions import ToolError

mcp = FastMCP("Services")
SERVICES = {"nginx", "postgresql", "redis"}


@mcp.tool
def restart(service: str) -> str:
    """Restart one of the known services."""
    if service not in SERVICES:
        raise ToolError(f"unknown service {service!r}")
    return subprocess.run(f"systemctl restart {service}", shell=True, capture_output=True,
                          text=True).stdout

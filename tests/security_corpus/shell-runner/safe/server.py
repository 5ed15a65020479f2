"""Host maintenance: run diagnostics on the machine."""

import subprocess
from typing import Literal

from fastmcp import FastMCP

mcp = FastMCP("Host")
DIAGNOSTICS = {
    "disk": ["df", "-h"],
    "memory": ["free", "-m"],
    "uptime": ["uptime"],
    "load": ["cat", "/proc/loadavg"],
}


@mcp.tool
def run_diagnostic(name: Literal["disk", "memory", "uptime", "load"], timeout: int = 30) -> dict:
    """Run one of the fixed diagnostics."""
    completed = subprocess.run(DIAGNOSTICS[name], capture_output=True, text=True, timeout=timeout)
    return {"code": completed.returncode, "stdout": completed.stdout, "stderr": completed.stderr}

"""Host maintenance: run diagnostics on the machine."""

import subprocess

from fastmcp import FastMCP

mcp = FastMCP("Host")


@mcp.tool
def run_command(command: str, timeout: int = 30) -> dict:
    """Run a diagnostic command, e.g. 'df -h' or 'uptime'."""
    completed = subprocess.run(command.split(), capture_output=True, text=True, timeout=timeout)
    return {"code": completed.returncode, "stdout": completed.stdout, "stderr": completed.stderr}

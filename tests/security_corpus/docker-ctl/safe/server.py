"""Docker: inspect and restart the containers of this host."""

import shlex
import subprocess

from fastmcp import FastMCP

mcp = FastMCP("Docker")


@mcp.tool
def logs(container: str, tail: int = 200) -> str:
    """The last log lines of a container."""
    command = f"docker logs --tail {int(tail)} {shlex.quote(container)} 2>&1"
    return subprocess.run(command, shell=True, capture_output=True, text=True).stdout


@mcp.tool
def restart(container: str) -> str:
    """Restart a container."""
    return subprocess.run(["docker", "restart", container], capture_output=True, text=True).stdout

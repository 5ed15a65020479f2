"""Docker: inspect and restart the containers of this host."""

import os
import subprocess

from fastmcp import FastMCP

mcp = FastMCP("Docker")


@mcp.tool
def logs(container: str, tail: int = 200) -> str:
    """The last log lines of a container."""
    stream = os.popen(f"docker logs --tail {tail} {container} 2>&1")
    return stream.read()


@mcp.tool
def restart(container: str) -> str:
    """Restart a container."""
    return subprocess.getoutput("docker restart " + container)

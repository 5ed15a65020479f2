"""${name}: a golden case."""

from __future__ import annotations

import subprocess

from fastmcp import FastMCP

mcp = FastMCP("Admin")


def deploy(branch: str) -> None:
    """Called by the operator's CLI, not by the model."""
    subprocess.run(f"./deploy.sh {branch}", shell=True, check=True)


@mcp.tool
def status() -> str:
    """Show the deployment status."""
    return subprocess.run(["./status.sh"], capture_output=True, text=True).stdout

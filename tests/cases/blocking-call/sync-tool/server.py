"""${name}: a golden case."""

from __future__ import annotations

import subprocess
import time

import requests

from fastmcp import FastMCP

mcp = FastMCP("Ops")


@mcp.tool
def uptime() -> str:
    """The host's uptime (a sync tool: FastMCP runs it in a worker thread)."""
    time.sleep(0.1)
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout


@mcp.tool
def ping() -> int:
    """Status of the API."""
    return requests.head("https://api.example.com/health", timeout=5).status_code

"""${name}: a golden case."""

from __future__ import annotations

import requests

from fastmcp import FastMCP

mcp = FastMCP("Status")


@mcp.tool
def health(host: str, port: int = 80) -> int:
    """Check a service's health endpoint."""
    return requests.get(f"http://{host}:{port}/health", timeout=5).status_code

"""${name}: a golden case."""

from __future__ import annotations

import urllib.request

from fastmcp import FastMCP

mcp = FastMCP("Download")


@mcp.tool
def download(source: str) -> int:
    """Download a file and return its size."""
    request = urllib.request.Request(source, headers={"User-Agent": "mcp"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return len(response.read())

"""${name}: a golden case."""

from __future__ import annotations

import requests

from fastmcp import FastMCP
from fastmcp.exceptions import ToolError

mcp = FastMCP("Artifacts")
PREFIXES = ("https://artifacts.example.com/", "https://mirror.example.com/releases/")


@mcp.tool
def artifact_size(url: str) -> int:
    """The size of a release artifact."""
    if not url.startswith(PREFIXES):
        raise ToolError("not a release artifact")
    return int(requests.head(url, timeout=10).headers.get("content-length", 0))

"""${name}: a golden case."""

from __future__ import annotations

from fastmcp import FastMCP

mcp = FastMCP("Indexer")


@mcp.tool
def index(path: str) -> int:
    """Index the files under a path."""
    print(f"indexing {path}")
    return len(path)

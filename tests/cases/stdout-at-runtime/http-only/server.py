"""${name}: a golden case."""

from __future__ import annotations

from fastmcp import FastMCP

mcp = FastMCP("Indexer")


@mcp.tool
def index(path: str) -> int:
    """Index the files under a path."""
    print(f"indexing {path}")  # HTTP only: stdout is the terminal's log
    return len(path)


if __name__ == "__main__":
    mcp.run(transport="http", host="127.0.0.1", port=8000, host_origin_protection="auto")

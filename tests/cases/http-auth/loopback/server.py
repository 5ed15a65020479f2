"""${name}: a golden case."""

from __future__ import annotations

import os

from fastmcp import FastMCP

mcp = FastMCP("GitHub")
TOKEN = os.environ.get("GITHUB_TOKEN", "")


@mcp.tool
def token_set() -> bool:
    """Whether a token is configured."""
    return bool(TOKEN)


if __name__ == "__main__":
    mcp.run(transport="http", host=os.environ.get("HOST", "127.0.0.1"), port=8000,
            host_origin_protection="auto")

"""${name}: a golden case."""

from __future__ import annotations

import os

from fastmcp import FastMCP

mcp = FastMCP("Echo", mask_error_details=True)
app = mcp.http_app(host_origin_protection="auto")


@mcp.tool
def echo(text: str) -> str:
    """Echo the text."""
    return text


if __name__ == "__main__":
    if os.environ.get("MCP_TRANSPORT", "stdio") == "http":
        mcp.run(transport="http", host=os.environ.get("HOST", "127.0.0.1"), port=8000)
    else:
        mcp.run()

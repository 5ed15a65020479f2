"""${name}: a golden case."""

from __future__ import annotations

import os

from fastmcp import FastMCP

mcp = FastMCP("Echo")


@mcp.tool
def echo(text: str) -> str:
    """Echo the text."""
    return text


if __name__ == "__main__":
    mcp.run(transport="http", host=os.environ["HOST"], port=int(os.environ["PORT"]),
            host_origin_protection="auto")

"""${name}: a golden case."""

from __future__ import annotations

import uvicorn

from fastmcp import FastMCP

mcp = FastMCP("Echo")
app = mcp.http_app(host_origin_protection="auto")


@mcp.tool
def echo(text: str) -> str:
    """Echo the text."""
    return text


if __name__ == "__main__":
    uvicorn.run(app, host="0.0.0.0", port=8080)

"""Binds every interface, in three ways."""

import os

import uvicorn
from fastmcp import FastMCP

mcp = FastMCP("Weather", mask_error_details=True)
app = mcp.http_app(host_origin_protection="auto")
BIND_HOST = "::"


@mcp.resource("data://status")
def status() -> str:
    """Whether the server is up."""
    return "ok"


if __name__ == "__main__":
    uvicorn.run(app, host=os.environ.get("HOST", "0.0.0.0"), port=8000)
    mcp.run(transport="http", host="0.0.0.0")

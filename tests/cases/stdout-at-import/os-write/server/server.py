"""Writes to file descriptor 1 directly, past sys.stdout."""

import os

from fastmcp import FastMCP

mcp = FastMCP("Raw", mask_error_details=True)
os.write(1, b"raw\n")


@mcp.resource("data://status")
def status() -> str:
    """Whether the server is up."""
    return "ok"

"""The host comes from the environment, loopback by default; 0.0.0.0 only in a comparison."""

import logging
import os

from fastmcp import FastMCP

mcp = FastMCP("Weather", mask_error_details=True)
HOST = os.environ.get("HOST", "127.0.0.1")


@mcp.resource("data://status")
def status() -> str:
    """Whether the server is up."""
    return "ok"


if HOST in ("0.0.0.0", "::"):
    logging.getLogger(__name__).warning("listening on every interface")

if __name__ == "__main__":
    mcp.run(transport="http", host=HOST, port=int(os.environ.get("PORT", "8000")))

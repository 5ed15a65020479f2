"""Every argument here is a FastMCP 3 one; settings that moved go to http_app and run."""

import os

from fastmcp import FastMCP

options = {"mask_error_details": True}
mcp = FastMCP("Weather", "Forecasts.", version="1.0", on_duplicate="error", **options)
app = mcp.http_app(stateless_http=True, json_response=True, host_origin_protection="auto")


@mcp.resource("data://status")
def status() -> str:
    """Whether the server is up."""
    return "ok"


if __name__ == "__main__":
    mcp.run(transport="http", host=os.environ.get("HOST", "127.0.0.1"), port=8000, log_level="INFO")

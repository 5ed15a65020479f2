"""memory:// for one process (no extra workers configured), Redis defaults, references."""

import os

import fastmcp
from fastmcp import FastMCP

if fastmcp.settings.docket.url.startswith("${"):
    fastmcp.settings.docket.url = "memory://"
os.environ.setdefault("FASTMCP_DOCKET_URL", "redis+sentinel://sentinel:26379/mymaster")
os.environ.get("FASTMCP_DOCKET_URL", "unix:///run/redis.sock")
os.getenv("FASTMCP_DOCKET_URL", "")
mcp = FastMCP("Jobs", tasks=True, mask_error_details=True)


@mcp.resource("data://status")
async def status() -> str:
    """Whether the server is up."""
    return "ok"

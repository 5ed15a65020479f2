"""Sets the Docket URL in code, three ways."""

import os

import fastmcp
from fastmcp import FastMCP

os.environ.setdefault("FASTMCP_DOCKET_URL", "sqlite:///tasks.db")
os.environ["FASTMCP_DOCKET_URL"] = "localhost:6379"
fastmcp.settings.docket.url = "REDIS://127.0.0.1:6379/0"
mcp = FastMCP("Jobs", tasks=True, mask_error_details=True)


@mcp.resource("data://status")
async def status() -> str:
    """Whether the server is up."""
    return "ok"

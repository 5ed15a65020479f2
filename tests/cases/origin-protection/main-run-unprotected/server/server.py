"""${name}: a golden case."""

from __future__ import annotations

import os
from typing import Annotated

from fastmcp import FastMCP
from mcp.types import ToolAnnotations
from pydantic import Field

mcp = FastMCP("Echo", mask_error_details=True)
app = mcp.http_app(host_origin_protection="auto")


@mcp.tool(
    annotations=ToolAnnotations(
        readOnlyHint=True, destructiveHint=False, idempotentHint=True, openWorldHint=False
    )
)
def echo(text: Annotated[str, Field(description="The text.")]) -> str:
    """Echo the text."""
    return text


if __name__ == "__main__":
    if os.environ.get("MCP_TRANSPORT", "stdio") == "http":
        mcp.run(transport="http", host=os.environ.get("HOST", "127.0.0.1"), port=8000)
    else:
        mcp.run()

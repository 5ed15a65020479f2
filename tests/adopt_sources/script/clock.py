# /// script
# requires-python = ">=3.11"
# dependencies = [
#     "fastmcp>=3,<4",
#     "anyio>=4",
# ]
# ///
"""A one-file server, run with `uv run clock.py`."""

from typing import Annotated

import anyio
from fastmcp import FastMCP
from mcp.types import ToolAnnotations
from pydantic import Field

app = FastMCP("Clock", mask_error_details=True)


@app.tool(
    annotations=ToolAnnotations(
        readOnlyHint=True, destructiveHint=False, idempotentHint=False, openWorldHint=False
    )
)
async def wait(seconds: Annotated[float, Field(description="How long to sleep.", le=1)]) -> str:
    """Sleep a moment, then say so."""
    await anyio.sleep(seconds)
    return "done"

"""A lifespan that never finishes starting (it waits for something that never comes)."""

import asyncio
from contextlib import asynccontextmanager

from fastmcp import FastMCP
from mcp.types import ToolAnnotations


@asynccontextmanager
async def lifespan(server):
    await asyncio.Event().wait()
    yield {}


mcp = FastMCP("Waits", lifespan=lifespan, mask_error_details=True)


@mcp.tool(
    annotations=ToolAnnotations(
        readOnlyHint=True, destructiveHint=False, idempotentHint=True, openWorldHint=False
    )
)
def hello() -> str:
    """Say hello to the caller and return the greeting."""
    return "hello"

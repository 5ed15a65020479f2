"""A lifespan that never finishes starting (it waits for something that never comes)."""

import asyncio
from contextlib import asynccontextmanager

from fastmcp import FastMCP


@asynccontextmanager
async def lifespan(server):
    await asyncio.Event().wait()
    yield {}


mcp = FastMCP("Waits", lifespan=lifespan, mask_error_details=True)


@mcp.tool
def hello() -> str:
    """Say hello."""
    return "hello"

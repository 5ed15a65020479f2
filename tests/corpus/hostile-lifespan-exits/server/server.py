"""A lifespan that ends the whole process when its configuration is missing."""

import os
from contextlib import asynccontextmanager

from fastmcp import FastMCP


@asynccontextmanager
async def lifespan(server):
    if "CONFIG_PATH" not in os.environ:
        os._exit(3)
    yield {}


mcp = FastMCP("Exits", lifespan=lifespan, mask_error_details=True)


@mcp.tool
def hello() -> str:
    """Say hello."""
    return "hello"

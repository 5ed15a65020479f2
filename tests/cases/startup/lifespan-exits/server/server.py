"""A lifespan that ends the whole process when its configuration is missing."""

import os
from contextlib import asynccontextmanager

from fastmcp import FastMCP
from mcp.types import ToolAnnotations


@asynccontextmanager
async def lifespan(server):
    if "CONFIG_PATH" not in os.environ:
        os._exit(3)
    yield {}


mcp = FastMCP("Exits", lifespan=lifespan, mask_error_details=True)


@mcp.tool(
    annotations=ToolAnnotations(
        readOnlyHint=True, destructiveHint=False, idempotentHint=True, openWorldHint=False
    )
)
def hello() -> str:
    """Say hello to the caller and return the greeting."""
    return "hello"

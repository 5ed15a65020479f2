"""A lifespan that reads a variable nobody set: the import works, every client fails."""

import os
from contextlib import asynccontextmanager

from fastmcp import FastMCP


@asynccontextmanager
async def lifespan(server):
    url = os.environ["ORDERS_DATABASE_URL"]
    yield {"url": url}


mcp = FastMCP("Orders", lifespan=lifespan, mask_error_details=True)


@mcp.tool
def count() -> int:
    """Count the orders."""
    return 0

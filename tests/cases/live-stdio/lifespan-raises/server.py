"""Its lifespan reads a variable nobody set: it imports, but no client can connect."""

import os
from contextlib import asynccontextmanager

from fastmcp import FastMCP


@asynccontextmanager
async def lifespan(server):
    yield {"database": os.environ["ORDERS_DATABASE_URL"]}


mcp = FastMCP("Lifespan Raises", lifespan=lifespan, mask_error_details=True)

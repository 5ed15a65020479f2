"""A lifespan that calls sys.exit(0) when it starts: the import works, the server vanishes."""

import sys
from contextlib import asynccontextmanager

from fastmcp import FastMCP


@asynccontextmanager
async def lifespan(server):
    sys.exit(0)
    yield {}


mcp = FastMCP("Quits", lifespan=lifespan, mask_error_details=True)

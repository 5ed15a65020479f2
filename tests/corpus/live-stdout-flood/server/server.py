"""Writes 40 MiB without a newline to stdout when it starts, then one newline."""

import sys
from contextlib import asynccontextmanager

from fastmcp import FastMCP


@asynccontextmanager
async def lifespan(server):
    chunk = "x" * (1 << 20)
    for _ in range(40):
        sys.stdout.write(chunk)
    sys.stdout.write("\n")
    sys.stdout.flush()
    yield {}


mcp = FastMCP("Hostile", lifespan=lifespan, mask_error_details=True)

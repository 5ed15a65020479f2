"""Its lifespan's shutdown blocks for ten minutes (a thread join, a connection pool that hangs)."""

import os
import time
from contextlib import asynccontextmanager
from pathlib import Path

from fastmcp import FastMCP


@asynccontextmanager
async def lifespan(server):
    Path(f"${outside}/server-{os.getpid()}.pid").write_text(str(os.getpid()))
    yield {}
    time.sleep(600)


mcp = FastMCP("Hostile", lifespan=lifespan, mask_error_details=True)

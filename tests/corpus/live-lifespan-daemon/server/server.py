"""Starts a daemon (double fork, setsid) each time its lifespan runs: stdio once, HTTP per worker."""

import os
import time
from contextlib import asynccontextmanager
from pathlib import Path

from fastmcp import FastMCP


@asynccontextmanager
async def lifespan(server):
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            Path(f"${outside}/daemon-{os.getpid()}.pid").write_text(str(os.getpid()))
            time.sleep(600)
        os._exit(0)
    os.wait()
    yield {}


mcp = FastMCP("Hostile", lifespan=lifespan, mask_error_details=True)

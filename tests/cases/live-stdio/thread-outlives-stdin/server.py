"""Its lifespan starts a thread that never ends: when the client goes, the process stays."""

import threading
import time
from contextlib import asynccontextmanager

from fastmcp import FastMCP


@asynccontextmanager
async def lifespan(server):
    threading.Thread(target=time.sleep, args=(3600,), name="poller").start()  # not a daemon
    yield {}


mcp = FastMCP("Thread Outlives Stdin", lifespan=lifespan, mask_error_details=True)

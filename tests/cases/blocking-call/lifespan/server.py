"""${name}: a golden case."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastmcp import FastMCP


@asynccontextmanager
async def lifespan(server: FastMCP) -> AsyncIterator[dict]:
    time.sleep(2)
    yield {}


mcp = FastMCP("Slow start", lifespan=lifespan)

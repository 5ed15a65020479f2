"""${name}: a golden case."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastmcp import FastMCP


@asynccontextmanager
async def lifespan(server: FastMCP) -> AsyncIterator[None]:
    print("database ready", file=sys.stdout)
    yield


mcp = FastMCP("Database", lifespan=lifespan)

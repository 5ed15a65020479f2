"""${name}: a golden case."""

from __future__ import annotations

import logging
import sys

from fastmcp import FastMCP

logging.basicConfig(level=logging.INFO, stream=sys.stdout)
logger = logging.getLogger(__name__)
mcp = FastMCP("Worker")


@mcp.tool
def work(item: str) -> str:
    """Process an item."""
    logger.info("processing %s", item)
    return item.upper()

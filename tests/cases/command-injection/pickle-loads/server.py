"""${name}: a golden case."""

from __future__ import annotations

import base64
import pickle

from fastmcp import FastMCP

mcp = FastMCP("Cache")


@mcp.tool
def restore(blob: str) -> str:
    """Restore a cached object from its base64 form."""
    return repr(pickle.loads(base64.b64decode(blob)))

"""${name}: a golden case."""

from __future__ import annotations

import os

from fastmcp import FastMCP

mcp = FastMCP("Files")
BASE = os.environ.get("FILES_ROOT", "/srv/files")


@mcp.tool
def read_file(relative_path: str) -> str:
    """Read a file under the files root."""
    with open(os.path.join(BASE, relative_path), encoding="utf-8") as handle:
        return handle.read()

"""${name}: a golden case."""

from __future__ import annotations

import os

from fastmcp import FastMCP
from fastmcp.exceptions import ToolError

mcp = FastMCP("Files")
BASE = os.path.realpath(os.environ.get("FILES_ROOT", "/srv/files"))


@mcp.tool
def read_file(relative_path: str) -> str:
    """Read a file under the files root."""
    full = os.path.realpath(os.path.join(BASE, relative_path))
    if os.path.commonpath([BASE, full]) != BASE:
        raise ToolError("outside the files root")
    with open(full, encoding="utf-8") as handle:
        return handle.read()

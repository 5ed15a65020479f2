"""${name}: a golden case."""

from __future__ import annotations

import os
from pathlib import Path

from fastmcp import FastMCP
from fastmcp.exceptions import ToolError

mcp = FastMCP("Docs")
DOCS = Path("/srv/docs").resolve()
SHARED = os.path.realpath("/srv/shared")


@mcp.tool
def read_doc(name: str) -> str:
    """Read a document (the check resolves the path it is given)."""
    path = DOCS / name
    if not path.resolve().is_relative_to(DOCS):
        raise ToolError("outside the docs")
    return path.read_text()


@mcp.tool
def read_shared(name: str) -> str:
    """Read a shared file."""
    path = os.path.join(SHARED, name)
    if os.path.commonpath([SHARED, os.path.realpath(path)]) != SHARED:
        raise ToolError("outside the shared directory")
    with open(path, encoding="utf-8") as handle:
        return handle.read()

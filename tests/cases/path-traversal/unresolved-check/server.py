"""${name}: a golden case."""

from __future__ import annotations

from pathlib import Path

from fastmcp import FastMCP
from fastmcp.exceptions import ToolError

mcp = FastMCP("Docs")
DOCS = Path("/srv/docs")


@mcp.tool
def read_doc(name: str) -> str:
    """Read a document."""
    path = DOCS / name
    if not path.is_relative_to(DOCS):  # lexical: DOCS / "../etc/passwd" passes
        raise ToolError("outside the docs")
    return path.read_text()

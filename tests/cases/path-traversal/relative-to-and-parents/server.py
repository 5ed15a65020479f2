"""${name}: a golden case."""

from __future__ import annotations

from pathlib import Path

from fastmcp import FastMCP
from fastmcp.exceptions import ToolError

mcp = FastMCP("Uploads")
UPLOADS = Path("/srv/uploads").resolve()


@mcp.tool
def delete_upload(name: str) -> None:
    """Delete an uploaded file."""
    target = (UPLOADS / name).resolve()
    try:
        target.relative_to(UPLOADS)
    except ValueError:
        raise ToolError("not an upload") from None
    target.unlink()


@mcp.tool
def size(name: str) -> int:
    """The size of an uploaded file."""
    target = (UPLOADS / name).resolve()
    if UPLOADS not in target.parents:
        raise ToolError("not an upload")
    return len(target.read_bytes())

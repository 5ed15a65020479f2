"""${name}: a golden case."""

from __future__ import annotations

from pathlib import Path

from fastmcp import FastMCP
from fastmcp.exceptions import ToolError

mcp = FastMCP("Notes")
NOTES = (Path(__file__).parent / "notes").resolve()


@mcp.tool
def read_note(name: str) -> str:
    """Return the text of a note."""
    path = (NOTES / f"{name}.md").resolve()
    if not path.is_relative_to(NOTES):
        raise ToolError(f"{name!r} is not a note")
    return path.read_text(encoding="utf-8")

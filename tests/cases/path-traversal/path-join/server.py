"""${name}: a golden case."""

from __future__ import annotations

from pathlib import Path

from fastmcp import FastMCP

mcp = FastMCP("Notes")
NOTES = Path(__file__).parent / "notes"


@mcp.tool
def read_note(name: str) -> str:
    """Return the text of a note."""
    return (NOTES / f"{name}.md").read_text(encoding="utf-8")

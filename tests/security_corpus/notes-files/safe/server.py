"""Notes: read and write Markdown notes kept in ~/notes."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastmcp import FastMCP
from fastmcp.exceptions import ToolError
from mcp.types import ToolAnnotations
from pydantic import Field

mcp = FastMCP("Notes", mask_error_details=True)
NOTES_DIR = (Path.home() / "notes").resolve()


def _note_path(name: str) -> Path:
    path = (NOTES_DIR / name).resolve()
    if not path.is_relative_to(NOTES_DIR) or path.suffix != ".md":
        raise ToolError(f"{name!r} is not a note")
    return path


@mcp.tool(annotations=ToolAnnotations(readOnlyHint=True))
def list_notes() -> list[str]:
    """List the notes."""
    return sorted(path.stem for path in NOTES_DIR.glob("*.md"))


@mcp.tool(annotations=ToolAnnotations(readOnlyHint=True))
def read_note(
    name: Annotated[str, Field(description="The note's file name, e.g. 'todo.md'.")],
) -> str:
    """Return a note's text."""
    return _note_path(name).read_text(encoding="utf-8")


@mcp.tool(annotations=ToolAnnotations(readOnlyHint=False, destructiveHint=True))
def write_note(
    name: Annotated[str, Field(description="The note's file name.")],
    text: Annotated[str, Field(description="The new text.")],
) -> str:
    """Create or replace a note."""
    path = _note_path(name)
    path.write_text(text, encoding="utf-8")
    return f"saved {path.name}"


if __name__ == "__main__":
    mcp.run()

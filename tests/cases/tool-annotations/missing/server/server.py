"""Two tools whose behaviour clients must guess."""

from typing import Annotated

from fastmcp import FastMCP
from mcp.types import ToolAnnotations
from pydantic import Field

mcp = FastMCP("Unannotated", mask_error_details=True)


@mcp.tool
def delete_note(note_id: Annotated[int, Field(description="The note to delete.")]) -> None:
    """Delete a note."""


@mcp.tool(annotations=ToolAnnotations(title="Rename a note"))
def rename_note(note_id: Annotated[int, Field(description="The note to rename.")]) -> None:
    """Rename a note (a title is not a behaviour hint)."""


@mcp.tool(annotations=ToolAnnotations(readOnlyHint=True))
def read_note(note_id: Annotated[int, Field(description="The note to read.")]) -> str:
    """One hint is enough for this rule."""
    return ""

"""A hyphenated name: Cursor filters out names outside [A-Za-z0-9_]."""

from typing import Annotated, Any, Literal

from fastmcp import FastMCP
from mcp.types import ToolAnnotations
from pydantic import BaseModel, ConfigDict, Field

mcp = FastMCP("Case", mask_error_details=True)
READ_ONLY = ToolAnnotations(
    readOnlyHint=True, destructiveHint=False, idempotentHint=True, openWorldHint=False
)
@mcp.tool(name="search-notes", annotations=READ_ONLY)
def search(query: Annotated[str, Field(description="Words to look for.")]) -> list[str]:
    """Search the notes for words and return the matching titles."""
    return []

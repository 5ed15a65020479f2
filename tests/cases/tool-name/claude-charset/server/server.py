"""A dotted name: the MCP specification allows it, Claude does not."""

from typing import Annotated, Any, Literal

from fastmcp import FastMCP
from mcp.types import ToolAnnotations
from pydantic import BaseModel, ConfigDict, Field

mcp = FastMCP("Case", mask_error_details=True)
READ_ONLY = ToolAnnotations(
    readOnlyHint=True, destructiveHint=False, idempotentHint=True, openWorldHint=False
)
@mcp.tool(name="notes.search", annotations=READ_ONLY)
def search(query: Annotated[str, Field(description="Words to look for.")]) -> list[str]:
    """Search the notes for words and return the matching titles."""
    return []

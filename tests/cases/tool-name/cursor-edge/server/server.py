"""Server key and tool name 59 characters together: Cursor keeps it."""

from typing import Annotated, Any, Literal

from fastmcp import FastMCP
from mcp.types import ToolAnnotations
from pydantic import BaseModel, ConfigDict, Field

mcp = FastMCP("Case", mask_error_details=True)
READ_ONLY = ToolAnnotations(
    readOnlyHint=True, destructiveHint=False, idempotentHint=True, openWorldHint=False
)
# case-tool-name-cursor-edge (26) + 33 = 59.
@mcp.tool(annotations=READ_ONLY)
def summarize_every_note_of_the_year() -> str:
    """Summarize every note of the year in one paragraph."""
    return ""

"""Server key and tool name together 60 characters or more: Cursor filters the tool out."""

from typing import Annotated, Any, Literal

from fastmcp import FastMCP
from mcp.types import ToolAnnotations
from pydantic import BaseModel, ConfigDict, Field

mcp = FastMCP("Case", mask_error_details=True)
READ_ONLY = ToolAnnotations(
    readOnlyHint=True, destructiveHint=False, idempotentHint=True, openWorldHint=False
)
@mcp.tool(annotations=READ_ONLY)
def summarize_every_note_in_the_folder() -> str:
    """Summarize every note of the folder in one paragraph."""
    return ""

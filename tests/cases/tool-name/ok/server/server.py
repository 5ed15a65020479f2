"""Names at every profile's limits (server key case-tool-name-ok)."""

from typing import Annotated, Any, Literal

from fastmcp import FastMCP
from mcp.types import ToolAnnotations
from pydantic import BaseModel, ConfigDict, Field

mcp = FastMCP("Case", mask_error_details=True)
READ_ONLY = ToolAnnotations(
    readOnlyHint=True, destructiveHint=False, idempotentHint=True, openWorldHint=False
)
# mcp__case-tool-name-ok__<36 characters> is 64 characters: Claude Code's limit exactly.
@mcp.tool(annotations=READ_ONLY)
def count_notes_in_every_folder_by_month() -> int:
    """Count the notes of every folder, month by month, and return the total."""
    return 0


@mcp.tool(annotations=READ_ONLY)
def _private_looking_name() -> int:
    """A name that starts with an underscore, which Gemini allows."""
    return 0

"""The root pyproject's clients apply to a server that sets none."""

from typing import Annotated, Any, Literal

from fastmcp import FastMCP
from mcp.types import ToolAnnotations
from pydantic import BaseModel, ConfigDict, Field

mcp = FastMCP("Case", mask_error_details=True)
READ_ONLY = ToolAnnotations(
    readOnlyHint=True, destructiveHint=False, idempotentHint=True, openWorldHint=False
)
@mcp.tool(annotations=READ_ONLY)
def list_notes(
    limit: Annotated[int | None, Field(description="At most this many notes.")] = None,
) -> list[str]:
    """List the titles of the notes, newest first."""
    return []

"""A one-value Literal: pydantic writes const."""

from typing import Annotated, Any, Literal

from fastmcp import FastMCP
from mcp.types import ToolAnnotations
from pydantic import BaseModel, ConfigDict, Field

mcp = FastMCP("Case", mask_error_details=True)
READ_ONLY = ToolAnnotations(
    readOnlyHint=True, destructiveHint=False, idempotentHint=True, openWorldHint=False
)
@mcp.tool(annotations=READ_ONLY)
def export_notes(
    format: Annotated[Literal["markdown"], Field(description="The export format.")] = "markdown",
) -> str:
    """Export every note as one document."""
    return ""

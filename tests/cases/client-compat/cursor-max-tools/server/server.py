"""41 tools: more than Cursor hands its agent."""

from typing import Annotated, Any, Literal

from fastmcp import FastMCP
from mcp.types import ToolAnnotations
from pydantic import BaseModel, ConfigDict, Field

mcp = FastMCP("Case", mask_error_details=True)
READ_ONLY = ToolAnnotations(
    readOnlyHint=True, destructiveHint=False, idempotentHint=True, openWorldHint=False
)
def _count() -> int:
    """Count the notes of one folder and return the number."""
    return 0


for index in range(41):
    mcp.tool(name=f"count_folder_{index}", annotations=READ_ONLY)(_count)

"""A 64-character name: Gemini CLI shortens names over 63."""

from typing import Annotated, Any, Literal

from fastmcp import FastMCP
from mcp.types import ToolAnnotations
from pydantic import BaseModel, ConfigDict, Field

mcp = FastMCP("Case", mask_error_details=True)
READ_ONLY = ToolAnnotations(
    readOnlyHint=True, destructiveHint=False, idempotentHint=True, openWorldHint=False
)
@mcp.tool(name="count_" + "x" * 58, annotations=READ_ONLY)
def count() -> int:
    """Count the notes of the folder and return the number."""
    return 0

"""60 tools with long descriptions: over 10,000 tokens."""

from typing import Annotated, Any, Literal

from fastmcp import FastMCP
from mcp.types import ToolAnnotations
from pydantic import BaseModel, ConfigDict, Field

mcp = FastMCP("Case", mask_error_details=True)
READ_ONLY = ToolAnnotations(
    readOnlyHint=True, destructiveHint=False, idempotentHint=True, openWorldHint=False
)
def _lookup() -> str:
    return ""


LONG = "Look up one record of the archive by its position and return it as text. " * 12
for index in range(60):
    mcp.tool(name=f"lookup_{index}", description=LONG, annotations=READ_ONLY)(_lookup)

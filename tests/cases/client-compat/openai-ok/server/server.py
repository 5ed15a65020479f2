"""Arrays with items (a bare list has items: {}) and a bare dict."""

from typing import Annotated, Any, Literal

from fastmcp import FastMCP
from mcp.types import ToolAnnotations
from pydantic import BaseModel, ConfigDict, Field

mcp = FastMCP("Case", mask_error_details=True)
READ_ONLY = ToolAnnotations(
    readOnlyHint=True, destructiveHint=False, idempotentHint=True, openWorldHint=False
)
@mcp.tool(annotations=READ_ONLY)
def summarize(
    values: Annotated[list[float], Field(description="The numbers to summarize.")],
    tags: Annotated[list, Field(description="Anything to echo back.")],
    options: Annotated[dict, Field(description="Extra options.")],
) -> dict[str, Any]:
    """Return the count, sum and mean of the numbers."""
    return {}

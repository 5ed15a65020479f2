"""A fixed tuple: pydantic writes prefixItems and no items."""

from typing import Annotated, Any, Literal

from fastmcp import FastMCP
from mcp.types import ToolAnnotations
from pydantic import BaseModel, ConfigDict, Field

mcp = FastMCP("Case", mask_error_details=True)
READ_ONLY = ToolAnnotations(
    readOnlyHint=True, destructiveHint=False, idempotentHint=True, openWorldHint=False
)
@mcp.tool(annotations=READ_ONLY)
def distance(
    origin: Annotated[tuple[float, float], Field(description="The (x, y) to measure from.")],
) -> float:
    """Return the distance from a point to the center of the map."""
    return 0.0

"""A nested model open to other keys (no extra='forbid')."""

from typing import Annotated, Any, Literal

from fastmcp import FastMCP
from mcp.types import ToolAnnotations
from pydantic import BaseModel, ConfigDict, Field

mcp = FastMCP("Case", mask_error_details=True)
READ_ONLY = ToolAnnotations(
    readOnlyHint=True, destructiveHint=False, idempotentHint=True, openWorldHint=False
)
class Point(BaseModel):
    """A point on the map."""

    x: float
    y: float


@mcp.tool(annotations=READ_ONLY)
def mirror(point: Annotated[Point, Field(description="The point to mirror.")]) -> float:
    """Mirror a point across the x axis and return its new y."""
    return -point.y

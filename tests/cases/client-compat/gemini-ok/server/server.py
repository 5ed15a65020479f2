"""Shapes Gemini accepts: defaults of the parameter's type, enums, lists of models."""

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
def nearest(
    points: Annotated[list[Point], Field(description="The points to search.")],
    limit: Annotated[int, Field(description="At most this many points.")] = 10,
    order: Annotated[Literal["near", "far"], Field(description="Nearest or farthest first.")] = "near",
) -> list[Point]:
    """Return the points nearest to the origin (or farthest), in order."""
    return points[:limit]

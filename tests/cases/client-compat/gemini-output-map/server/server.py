"""A dict[str, Model] result: additionalProperties as a schema in the output."""

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
def landmarks() -> dict[str, Point]:
    """Return the landmarks of the map by name."""
    return {}

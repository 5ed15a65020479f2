"""A model-typed parameter documented with Field(description=...) has its description."""

from typing import Annotated

from fastmcp import FastMCP
from mcp.types import ToolAnnotations
from pydantic import BaseModel, Field

mcp = FastMCP("Models", mask_error_details=True)


class Location(BaseModel):
    """A place on Earth."""

    latitude: float
    longitude: float


@mcp.tool(annotations=ToolAnnotations(readOnlyHint=True))
def forecast(
    where: Annotated[Location, Field(description="Where to forecast.")],
    nested: Annotated[list[Location], Field(description="More places.")],
) -> str:
    """Return a forecast."""
    return "sunny"

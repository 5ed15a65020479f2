"""A tool with two undocumented parameters (and one documented, one injected)."""

from typing import Annotated

from fastmcp import Context, FastMCP
from mcp.types import ToolAnnotations
from pydantic import Field

mcp = FastMCP("Terse", mask_error_details=True)


@mcp.tool(annotations=ToolAnnotations(readOnlyHint=True))
def forecast(
    city: str,
    ctx: Context,
    days: int = 3,
    units: Annotated[str, Field(description="metric or imperial")] = "metric",
) -> str:
    """Return a forecast."""
    return city

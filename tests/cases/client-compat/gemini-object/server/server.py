"""A bare dict parameter: an object without properties."""

from typing import Annotated, Any

from fastmcp import FastMCP
from mcp.types import ToolAnnotations
from pydantic import Field

mcp = FastMCP("Case", mask_error_details=True)
READ_ONLY = ToolAnnotations(
    readOnlyHint=True, destructiveHint=False, idempotentHint=True, openWorldHint=False
)


@mcp.tool(annotations=READ_ONLY)
def render(
    template: Annotated[str, Field(description="The template text.")],
    values: Annotated[dict[str, Any], Field(description="The values to fill in.")],
) -> str:
    """Fill a template with values and return the text."""
    return template

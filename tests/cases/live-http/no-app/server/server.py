"""No module-level app: --live serves mcp.http_app(), as `fastmcp run --transport http` would."""

from typing import Annotated

from fastmcp import FastMCP
from mcp.types import ToolAnnotations
from pydantic import Field

mcp = FastMCP("No App", mask_error_details=True)


@mcp.tool(
    annotations=ToolAnnotations(
        readOnlyHint=True, destructiveHint=False, idempotentHint=True, openWorldHint=False
    )
)
def echo(text: Annotated[str, Field(description="The text.")]) -> str:
    """Return the text."""
    return text

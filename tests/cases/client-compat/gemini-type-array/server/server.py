"""A nullable parameter declared with a list of types."""

from typing import Annotated, Any, Literal

from fastmcp import FastMCP
from mcp.types import ToolAnnotations
from pydantic import BaseModel, ConfigDict, Field

mcp = FastMCP("Case", mask_error_details=True)
READ_ONLY = ToolAnnotations(
    readOnlyHint=True, destructiveHint=False, idempotentHint=True, openWorldHint=False
)
from pydantic import WithJsonSchema


@mcp.tool(annotations=READ_ONLY)
def greet(
    name: Annotated[
        str | None,
        WithJsonSchema({"type": ["string", "null"], "description": "Who to greet."}),
    ] = None,
) -> str:
    """Greet someone by name, or the world."""
    return f"Hello {name or 'world'}"

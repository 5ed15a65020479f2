"""101 properties in all: more than strict mode takes."""

from typing import Annotated, Any, Literal

from fastmcp import FastMCP
from mcp.types import ToolAnnotations
from pydantic import BaseModel, ConfigDict, Field

mcp = FastMCP("Case", mask_error_details=True)
READ_ONLY = ToolAnnotations(
    readOnlyHint=True, destructiveHint=False, idempotentHint=True, openWorldHint=False
)
from pydantic import create_model

Wide = create_model(
    "Wide",
    __config__=ConfigDict(extra="forbid"),
    **{f"field_{index}": (int, ...) for index in range(100)},
)


@mcp.tool(annotations=READ_ONLY)
def total(values: Annotated[Wide, Field(description="The numbers to add.")]) -> int:
    """Add the numbers of every field and return the sum."""
    return 0

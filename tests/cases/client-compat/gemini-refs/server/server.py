"""A recursive model parameter: Gemini refuses $ref/$defs."""

from typing import Annotated, Any, Literal

from fastmcp import FastMCP
from mcp.types import ToolAnnotations
from pydantic import BaseModel, ConfigDict, Field

mcp = FastMCP("Case", mask_error_details=True)
READ_ONLY = ToolAnnotations(
    readOnlyHint=True, destructiveHint=False, idempotentHint=True, openWorldHint=False
)
class Node(BaseModel):
    """A folder and the folders in it."""

    name: str
    children: list["Node"] = []


@mcp.tool(annotations=READ_ONLY)
def count_folders(root: Annotated[Node, Field(description="The folder tree to count.")]) -> int:
    """Count the folders of a tree and return the number."""
    return 1

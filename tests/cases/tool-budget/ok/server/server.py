"""A small server under the default budget."""

from typing import Annotated, Any, Literal

from fastmcp import FastMCP
from mcp.types import ToolAnnotations
from pydantic import BaseModel, ConfigDict, Field

mcp = FastMCP("Case", mask_error_details=True)
READ_ONLY = ToolAnnotations(
    readOnlyHint=True, destructiveHint=False, idempotentHint=True, openWorldHint=False
)
@mcp.tool(annotations=READ_ONLY)
def search(query: Annotated[str, Field(description="Words to look for.")]) -> list[str]:
    """Search the notes' titles and bodies; return matching note ids, best first."""
    return []

"""A name starting with a digit: Gemini wants a letter or _."""

from typing import Annotated, Any, Literal

from fastmcp import FastMCP
from mcp.types import ToolAnnotations
from pydantic import BaseModel, ConfigDict, Field

mcp = FastMCP("Case", mask_error_details=True)
READ_ONLY = ToolAnnotations(
    readOnlyHint=True, destructiveHint=False, idempotentHint=True, openWorldHint=False
)
@mcp.tool(name="2fa_check", annotations=READ_ONLY)
def check(code: Annotated[str, Field(description="The six-digit code.")]) -> bool:
    """Check a two-factor code and say whether it is valid."""
    return False

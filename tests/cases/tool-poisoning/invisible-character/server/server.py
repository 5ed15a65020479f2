"""A parameter description with a zero-width space and a right-to-left override in it."""

from typing import Annotated

from fastmcp import FastMCP
from mcp.types import ToolAnnotations
from pydantic import Field

mcp = FastMCP("Invisible", mask_error_details=True)


@mcp.tool(annotations=ToolAnnotations(readOnlyHint=True))
def lookup(
    word: Annotated[str, Field(description="The word to look up.\u200b\u202eevil")],
) -> str:
    """Look a word up (an emoji with joiners is fine: \U0001f468\u200d\U0001f4bb)."""
    return word

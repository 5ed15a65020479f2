"""A server whose tools live in a sibling module and read a data file."""

from typing import Annotated

from fastmcp import FastMCP
from mcp.types import ToolAnnotations
from pydantic import Field

from helpers import greeting

server = FastMCP("Siblings", mask_error_details=True)


@server.tool(
    name="greet",
    annotations=ToolAnnotations(
        readOnlyHint=True, destructiveHint=False, idempotentHint=True, openWorldHint=False
    ),
)
def greet_tool(name: Annotated[str, Field(description="Who to greet.")]) -> str:
    """Greet someone with the greeting of the data file."""
    return greeting(name)

"""Prints in its lifespan: the import check cannot see it, a stdio client reads it as protocol."""

from contextlib import asynccontextmanager
from typing import Annotated

from fastmcp import FastMCP
from mcp.types import ToolAnnotations
from pydantic import Field


@asynccontextmanager
async def lifespan(server):
    print("connecting to the database")
    yield {}


mcp = FastMCP("Print In Lifespan", lifespan=lifespan, mask_error_details=True)


@mcp.tool(
    annotations=ToolAnnotations(
        readOnlyHint=True, destructiveHint=False, idempotentHint=True, openWorldHint=False
    )
)
def echo(text: Annotated[str, Field(description="The text.")]) -> str:
    """Return the text."""
    return text

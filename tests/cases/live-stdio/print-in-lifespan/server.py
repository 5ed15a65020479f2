"""Prints in its lifespan: the import check cannot see it, a stdio client reads it as protocol."""

from contextlib import asynccontextmanager

from fastmcp import FastMCP


@asynccontextmanager
async def lifespan(server):
    print("connecting to the database")
    yield {}


mcp = FastMCP("Print In Lifespan", lifespan=lifespan, mask_error_details=True)


@mcp.tool
def echo(text: str) -> str:
    """Return the text."""
    return text

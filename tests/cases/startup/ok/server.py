"""A lifespan that opens and closes what the tools use."""

from contextlib import asynccontextmanager
from typing import Annotated

from fastmcp import Context, FastMCP
from mcp.types import ToolAnnotations
from pydantic import Field


@asynccontextmanager
async def lifespan(server):
    store = {"greeting": "hello"}
    yield {"store": store}
    store.clear()


mcp = FastMCP("Greeter", lifespan=lifespan, mask_error_details=True)


@mcp.tool(
    annotations=ToolAnnotations(
        readOnlyHint=True, destructiveHint=False, idempotentHint=True, openWorldHint=False
    )
)
def greet(
    name: Annotated[str, Field(description="Who to greet.")], ctx: Context
) -> str:
    """Greet someone with the stored greeting."""
    return f"{ctx.request_context.lifespan_context['store']['greeting']}, {name}"

"""A server built by a factory, as `fastmcp run main.py:create_server` expects."""

from typing import Annotated

import httpx
from fastmcp import FastMCP
from mcp.types import ToolAnnotations
from pydantic import Field


def create_server() -> FastMCP:
    mcp = FastMCP("Factory", mask_error_details=True)

    @mcp.tool(
        annotations=ToolAnnotations(
            readOnlyHint=True, destructiveHint=False, idempotentHint=True, openWorldHint=False
        )
    )
    def status_text(code: Annotated[int, Field(description="An HTTP status code.")]) -> str:
        """The reason phrase of an HTTP status code."""
        return httpx.codes(code).phrase

    return mcp


if __name__ == "__main__":
    create_server().run()

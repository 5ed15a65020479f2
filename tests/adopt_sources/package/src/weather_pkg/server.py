"""The weather MCP server (run as `weather-pkg`)."""

from typing import Annotated

from fastmcp import FastMCP
from mcp.types import ToolAnnotations
from pydantic import Field

from .forecast import forecast

mcp = FastMCP("Weather", mask_error_details=True)


@mcp.tool(
    annotations=ToolAnnotations(
        readOnlyHint=True, destructiveHint=False, idempotentHint=True, openWorldHint=False
    )
)
def weather(city: Annotated[str, Field(description="The city to report on.")]) -> str:
    """Today's weather in a city."""
    return forecast(city)


def main() -> None:
    mcp.run()

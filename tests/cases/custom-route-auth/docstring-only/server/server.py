"""A route whose docstring promises an auth check its code does not make."""

from fastmcp import FastMCP
from starlette.requests import Request
from starlette.responses import PlainTextResponse

mcp = FastMCP("Promises", mask_error_details=True)


@mcp.resource("data://greeting")
def greeting() -> str:
    """A greeting."""
    return "hello"


@mcp.custom_route("/export", methods=["GET"])
async def export(request: Request) -> PlainTextResponse:
    """Export the data (requires a bearer token with the auth scope)."""
    return PlainTextResponse("everything")

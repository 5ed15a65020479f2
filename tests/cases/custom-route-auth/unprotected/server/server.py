"""An admin route anyone can call, next to a public health probe."""

from fastmcp import FastMCP
from starlette.requests import Request
from starlette.responses import JSONResponse

mcp = FastMCP("Admin", mask_error_details=True)
STORE: dict[str, str] = {}


@mcp.resource("data://greeting")
def greeting() -> str:
    """A greeting."""
    return "hello"


@mcp.custom_route("/healthz", methods=["GET"])
async def healthz(request: Request) -> JSONResponse:
    """Liveness probe."""
    return JSONResponse({"status": "ok"})


@mcp.custom_route("/admin/reset", methods=["POST"])
async def reset(request: Request) -> JSONResponse:
    """Forget everything."""
    STORE.clear()
    return JSONResponse({"ok": True})

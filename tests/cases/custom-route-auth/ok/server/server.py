"""Custom routes that check credentials, in the ways the heuristic recognises."""

import hashlib
import hmac
import os
import secrets

from fastmcp import FastMCP
from starlette.authentication import requires
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

mcp = FastMCP("Guarded", mask_error_details=True)


@mcp.resource("data://greeting")
def greeting() -> str:
    """A greeting."""
    return "hello"


@mcp.custom_route("/api/health", methods=["GET"])
async def health(request: Request) -> JSONResponse:
    """A probe: public by design."""
    return JSONResponse({"status": "ok"})


@mcp.custom_route("/admin/reset", methods=["POST"])
async def reset(request: Request) -> JSONResponse:
    """Reset, for holders of the admin token."""
    expected = f"Bearer {os.environ.get('ADMIN_TOKEN', '')}"
    if not secrets.compare_digest(request.headers.get("authorization", ""), expected):
        return JSONResponse({"error": "unauthorized"}, status_code=401)
    return JSONResponse({"ok": True})


@mcp.custom_route("/hook", methods=["POST"])
async def hook(request: Request) -> Response:
    """A webhook signed with a shared key."""
    body = await request.body()
    digest = hmac.new(os.environb.get(b"HOOK_KEY", b""), body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(digest, request.headers.get("x-hub-signature-256", "")):
        return Response(status_code=403)
    return Response(status_code=204)


@mcp.custom_route("/me", methods=["GET"])
@requires("authenticated")
async def me(request: Request) -> JSONResponse:
    """Starlette's own decorator."""
    return JSONResponse({"user": request.user.display_name})

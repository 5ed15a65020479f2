"""/health answers 503: load balancers and the image's HEALTHCHECK would take it out of service."""

from fastmcp import FastMCP
from starlette.requests import Request
from starlette.responses import JSONResponse

mcp = FastMCP("Health Not 200", mask_error_details=True)


@mcp.custom_route("/health", methods=["GET"])
async def health(request: Request) -> JSONResponse:
    return JSONResponse({"status": "starting"}, status_code=503)


app = mcp.http_app(host_origin_protection="auto")

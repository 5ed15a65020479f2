"""The MCP app mounted in Starlette without its lifespan: every MCP request fails with 500."""

from fastmcp import FastMCP
from starlette.applications import Starlette
from starlette.routing import Mount

mcp = FastMCP("Mount Without Lifespan", mask_error_details=True)

app = Starlette(routes=[Mount("/mcp", app=mcp.http_app(path="/"))])

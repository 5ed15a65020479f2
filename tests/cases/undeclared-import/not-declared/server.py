"""Imports packages the pyproject does not declare."""

import httpx
import tomlkit
from fastmcp import FastMCP
from mcp.types import ToolAnnotations
from starlette.responses import JSONResponse

mcp = FastMCP("Weather")

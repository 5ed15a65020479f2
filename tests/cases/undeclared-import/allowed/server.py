"""httpx comes through fastmcp, and the pyproject says that is fine."""

import httpx
from fastmcp import FastMCP

mcp = FastMCP("Weather")

"""Imports a module nobody declared."""

import definitely_not_installed_xyz  # noqa: F401
from fastmcp import FastMCP

mcp = FastMCP("Raises", mask_error_details=True)

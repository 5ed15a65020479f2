"""Exits with status 0 while being imported: a client would see the server vanish."""

import sys

from fastmcp import FastMCP

mcp = FastMCP("Vanishes", mask_error_details=True)
sys.exit(0)

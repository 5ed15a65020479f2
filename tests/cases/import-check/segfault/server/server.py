"""Crashes the interpreter at import."""

import ctypes

from fastmcp import FastMCP

mcp = FastMCP("Crashes", mask_error_details=True)
ctypes.string_at(0)

"""Prints while being imported only: stdout-at-import reports it, live-stdio does not repeat it."""

from fastmcp import FastMCP

print("Chatty server ready")

mcp = FastMCP("Print At Import", mask_error_details=True)

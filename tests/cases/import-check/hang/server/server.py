"""Never finishes importing."""

from fastmcp import FastMCP

mcp = FastMCP("Hangs", mask_error_details=True)

while True:
    pass

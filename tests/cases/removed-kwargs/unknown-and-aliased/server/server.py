"""The seed's docket= argument, through an aliased import, and a typo."""

import fastmcp
from fastmcp import FastMCP as Server

mcp = Server("Jobs", docket="redis://localhost:6379/0", mask_error_detail=True)
other = fastmcp.FastMCP("Other", "Instructions.", "1.0", log_level="DEBUG")

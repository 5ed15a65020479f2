"""Imports pytest at runtime: declared only in the server's dev group, which deployments skip."""

import pytest  # noqa: F401
from fastmcp import FastMCP

mcp = FastMCP("Dev Group Only", mask_error_details=True)


@mcp.resource("data://status")
def status() -> str:
    """Whether the server is up."""
    return "ok"

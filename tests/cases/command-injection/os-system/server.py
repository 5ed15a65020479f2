"""${name}: a golden case."""

from __future__ import annotations

import os

from fastmcp import FastMCP

mcp = FastMCP("Converter")


@mcp.tool
def convert(source: str, target: str) -> int:
    """Convert an image with ImageMagick."""
    command = "convert " + source + " " + target
    return os.system(command)

"""${name}: a golden case."""

from __future__ import annotations

import yaml

from fastmcp import FastMCP

mcp = FastMCP("Config")


@mcp.tool
def parse_config(document: str) -> dict:
    """Parse a YAML configuration."""
    first = yaml.load(document, Loader=yaml.SafeLoader)
    return first if isinstance(first, dict) else yaml.safe_load(document)

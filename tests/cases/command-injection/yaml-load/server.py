"""${name}: a golden case."""

from __future__ import annotations

import yaml

from fastmcp import FastMCP

mcp = FastMCP("Config")


@mcp.tool
def parse_config(document: str) -> dict:
    """Parse a YAML configuration."""
    return yaml.load(document, Loader=yaml.Loader)

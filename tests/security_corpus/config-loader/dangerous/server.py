"""Config: validate deployment configurations."""

import yaml
from fastmcp import FastMCP

mcp = FastMCP("Config")
REQUIRED = ("service", "replicas", "image")


@mcp.tool
def validate_config(document: str) -> list[str]:
    """Problems of a deployment configuration (YAML)."""
    config = yaml.load(document, Loader=yaml.FullLoader)
    return [f"missing {key}" for key in REQUIRED if key not in (config or {})]

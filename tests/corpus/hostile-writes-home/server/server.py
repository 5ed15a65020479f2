"""Writes a token cache into the user's home directory when it is imported."""

import json
from pathlib import Path

from fastmcp import FastMCP

CACHE = Path.home() / ".local" / "share" / "acme-mcp"
CACHE.mkdir(parents=True, exist_ok=True)
(CACHE / "token.json").write_text(json.dumps({"token": None}))

mcp = FastMCP("Acme", mask_error_details=True)

"""${name}: a golden case."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from fastmcp import FastMCP

mcp = FastMCP("Workspace")
ROOT = Path.home() / "workspace"


@mcp.tool
def save(path: str, content: str) -> str:
    """Write a file."""
    target = ROOT / path
    target.write_text(content)
    return str(target)


@mcp.tool
def remove(path: str) -> None:
    """Delete a file or directory."""
    target = os.path.join(ROOT, path)
    if os.path.isdir(target):
        shutil.rmtree(target)
    else:
        os.remove(target)

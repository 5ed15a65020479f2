"""${name}: a golden case."""

from __future__ import annotations

from pathlib import Path

from fastmcp import FastMCP
from fastmcp.exceptions import ToolError

mcp = FastMCP("Workspace")
ROOT = Path.home().joinpath("workspace").resolve()


def _inside(relative: str) -> Path:
    path = (ROOT / relative).resolve()
    if not path.is_relative_to(ROOT):
        raise ToolError(f"{relative!r} is outside the workspace")
    return path


@mcp.tool
def save(path: str, content: str) -> int:
    """Write a file of the workspace."""
    return _inside(path).write_text(content)


@mcp.tool
def load(path: str) -> str:
    """Read a file of the workspace."""
    return _inside(path).read_text()

"""Backups: copy files of the data directory to the backup area and back."""

import os
import shutil

from fastmcp import FastMCP
from fastmcp.exceptions import ToolError

mcp = FastMCP("Backups")
DATA = os.path.realpath("/var/lib/app")
BACKUPS = os.path.realpath("/var/backups/app")


def _under(root: str, relative: str) -> str:
    path = os.path.realpath(os.path.join(root, relative))
    if os.path.commonpath([root, path]) != root:
        raise ToolError(f"{relative!r} is outside {root}")
    return path


@mcp.tool
def backup(relative_path: str) -> str:
    """Copy a file of the data directory to the backups."""
    source = _under(DATA, relative_path)
    target = _under(BACKUPS, os.path.basename(source))
    shutil.copy2(source, target)
    return target


@mcp.tool
def restore(name: str, relative_path: str) -> str:
    """Restore a backup over a file of the data directory."""
    shutil.copy2(_under(BACKUPS, name), _under(DATA, relative_path))
    return "restored"

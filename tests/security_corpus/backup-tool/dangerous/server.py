"""Backups: copy files of the data directory to the backup area and back."""

import os
import shutil

from fastmcp import FastMCP

mcp = FastMCP("Backups")
DATA = "/var/lib/app"
BACKUPS = "/var/backups/app"


@mcp.tool
def backup(relative_path: str) -> str:
    """Copy a file of the data directory to the backups."""
    source = os.path.join(DATA, relative_path)
    target = os.path.join(BACKUPS, os.path.basename(relative_path))
    shutil.copy2(source, target)
    return target


@mcp.tool
def restore(name: str, relative_path: str) -> str:
    """Restore a backup over a file of the data directory."""
    shutil.copy2(os.path.join(BACKUPS, name), os.path.join(DATA, relative_path))
    return "restored"

"""Git helper: read the history of the repository the server runs in."""

import subprocess

from fastmcp import FastMCP

mcp = FastMCP("Git")


def git(command: str) -> str:
    completed = subprocess.run(f"git {command}", shell=True, capture_output=True, text=True)
    return completed.stdout or completed.stderr


@mcp.tool
def log(ref: str = "HEAD", count: int = 20) -> str:
    """The last commits of a ref."""
    return git(f"log --oneline -n {count} {ref}")


@mcp.tool
def blame(path: str) -> str:
    """Who changed each line of a file."""
    return git("blame --line-porcelain " + path)


@mcp.tool
def current_branch() -> str:
    """The checked-out branch."""
    return git("rev-parse --abbrev-ref HEAD").strip()

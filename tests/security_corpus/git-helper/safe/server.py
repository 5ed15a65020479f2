"""Git helper: read the history of the repository the server runs in."""

import subprocess

from fastmcp import FastMCP

mcp = FastMCP("Git")


def git(*args: str) -> str:
    completed = subprocess.run(["git", *args], capture_output=True, text=True, check=False)
    return completed.stdout or completed.stderr


@mcp.tool
def log(ref: str = "HEAD", count: int = 20) -> str:
    """The last commits of a ref."""
    return git("log", "--oneline", "-n", str(count), "--end-of-options", ref)


@mcp.tool
def blame(path: str) -> str:
    """Who changed each line of a file."""
    return git("blame", "--line-porcelain", "--", path)


@mcp.tool
def current_branch() -> str:
    """The checked-out branch."""
    return subprocess.run(
        "git rev-parse --abbrev-ref HEAD", shell=True, capture_output=True, text=True
    ).stdout.strip()

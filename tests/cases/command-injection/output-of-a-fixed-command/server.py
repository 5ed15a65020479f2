"""${name}: a golden case."""

from __future__ import annotations

import subprocess

import httpx

from fastmcp import FastMCP

mcp = FastMCP("Build")


@mcp.tool
def rebuild(branch: str) -> str:
    """Rebuild the image of the branch's last commit."""
    commit = subprocess.run(["git", "rev-parse", "--", branch], capture_output=True,
                            text=True).stdout.strip()
    tag = httpx.get("https://registry.example.com/v2/app/tags", params={"commit": commit}).text
    return subprocess.run(f"docker build -t app:{tag} .", shell=True, capture_output=True,
                          text=True).stdout

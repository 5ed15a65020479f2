"""${name}: a golden case."""

from __future__ import annotations

import os

import httpx

from fastmcp import FastMCP

mcp = FastMCP("GitHub")
TOKEN = os.environ["GITHUB_TOKEN"]


@mcp.tool
def my_repos() -> list[str]:
    """The repositories of the token's owner."""
    headers = {"Authorization": f"Bearer {TOKEN}"}
    response = httpx.get("https://api.github.com/user/repos", headers=headers, timeout=10)
    return [repo["full_name"] for repo in response.json()]


if __name__ == "__main__":
    mcp.run(transport="http", host="0.0.0.0", port=8000)

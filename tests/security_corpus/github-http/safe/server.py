"""GitHub: list issues and comment on them with the owner's token."""

import os

import httpx
from fastmcp import FastMCP
from fastmcp.server.auth.providers.github import GitHubProvider

GITHUB_TOKEN = os.environ["GITHUB_TOKEN"]
API = "https://api.github.com/"
auth = GitHubProvider(
    client_id=os.environ["GITHUB_CLIENT_ID"],
    client_secret=os.environ["GITHUB_CLIENT_SECRET"],
    base_url=os.environ.get("PUBLIC_URL", "http://localhost:8000"),
)
mcp = FastMCP("GitHub", auth=auth)


def _client() -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=API, headers={"Authorization": f"Bearer {GITHUB_TOKEN}"}, timeout=20
    )


@mcp.tool
async def list_issues(repo: str, state: str = "open") -> list[dict]:
    """Issues of a repository ('owner/name')."""
    async with _client() as client:
        response = await client.get(f"/repos/{repo}/issues", params={"state": state})
        return [{"number": i["number"], "title": i["title"]} for i in response.json()]


@mcp.tool
async def comment(repo: str, number: int, body: str) -> str:
    """Comment on an issue."""
    async with _client() as client:
        response = await client.post(f"/repos/{repo}/issues/{number}/comments", json={"body": body})
        return response.json()["html_url"]


if __name__ == "__main__":
    mcp.run(
        transport="http",
        host="0.0.0.0",
        port=int(os.environ.get("PORT", "8000")),
        host_origin_protection="auto",
    )

"""Jira: read issues and the pages they link to."""

import os

import requests
from fastmcp import FastMCP

mcp = FastMCP("Jira")
session = requests.Session()
session.headers["Authorization"] = f"Bearer {os.environ.get('JIRA_TOKEN', '')}"


def _get(url: str) -> requests.Response:
    return session.get(url, timeout=15)


@mcp.tool
def issue(key: str) -> dict:
    """One issue of the tracker."""
    return _get(f"https://jira.example.com/rest/api/2/issue/{key}").json()


@mcp.tool
def follow_link(url: str) -> str:
    """Read a page an issue links to."""
    return _get(url).text[:10000]

"""Jira: read issues and the pages they link to."""

import os
from urllib.parse import urlparse

import requests
from fastmcp import FastMCP
from fastmcp.exceptions import ToolError

mcp = FastMCP("Jira")
session = requests.Session()
session.headers["Authorization"] = f"Bearer {os.environ.get('JIRA_TOKEN', '')}"
LINKED_HOSTS = {"jira.example.com", "wiki.example.com"}


def _get(url: str) -> requests.Response:
    return session.get(url, timeout=15)


@mcp.tool
def issue(key: str) -> dict:
    """One issue of the tracker."""
    return _get(f"https://jira.example.com/rest/api/2/issue/{key}").json()


@mcp.tool
def follow_link(url: str) -> str:
    """Read a wiki or tracker page an issue links to."""
    host = urlparse(url).hostname
    if host not in LINKED_HOSTS:
        raise ToolError(f"links to {host!r} are not followed")
    return _get(url).text[:10000]

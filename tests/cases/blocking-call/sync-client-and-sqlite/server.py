"""${name}: a golden case."""

from __future__ import annotations

import sqlite3

import httpx

from fastmcp import FastMCP

mcp = FastMCP("Cache")
client = httpx.Client(base_url="https://api.example.com", timeout=10)


@mcp.tool
async def cached(key: str) -> str:
    """A value from the cache, fetched when missing."""
    db = sqlite3.connect("cache.db")
    row = db.execute("SELECT value FROM cache WHERE key = ?", (key,)).fetchone()
    if row:
        return row[0]
    return client.get("/values", params={"key": key}).text

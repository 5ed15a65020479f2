"""Cache: a small key-value store for the model."""

import sqlite3
import time

from fastmcp import FastMCP

mcp = FastMCP("Cache")
DB = "cache.db"


def _db() -> sqlite3.Connection:
    connection = sqlite3.connect(DB)
    connection.execute("CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT, at REAL)")
    return connection


@mcp.tool
def put(key: str, value: str) -> str:
    """Store a value (sync: FastMCP runs it in a worker thread)."""
    with _db() as db:
        db.execute("REPLACE INTO kv VALUES (?, ?, ?)", (key, value, time.time()))
    return "stored"


@mcp.tool
def get(key: str) -> str | None:
    """Read a value."""
    with _db() as db:
        row = db.execute("SELECT value FROM kv WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None

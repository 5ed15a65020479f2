"""${name}: a golden case."""

from __future__ import annotations

import sqlite3

from fastmcp import FastMCP

mcp = FastMCP("Notes")
db = sqlite3.connect("notes.db", check_same_thread=False)


@mcp.tool
def search(term: str) -> list[tuple]:
    """Find notes whose title contains a term."""
    return db.execute(f"SELECT id, title FROM notes WHERE title LIKE '%{term}%'").fetchall()

"""${name}: a golden case."""

from __future__ import annotations

import sqlite3

from fastmcp import FastMCP

mcp = FastMCP("Notes")
db = sqlite3.connect("notes.db", check_same_thread=False)


@mcp.tool
def search(term: str, limit: int = 20) -> list[tuple]:
    """Find notes whose title contains a term."""
    return db.execute(
        "SELECT id, title FROM notes WHERE title LIKE ? LIMIT ?", (f"%{term}%", limit)
    ).fetchall()


@mcp.tool
def add(title: str, body: str) -> int:
    """Add a note."""
    cursor = db.execute("INSERT INTO notes (title, body) VALUES (:title, :body)",
                        {"title": title, "body": body})
    db.commit()
    return cursor.lastrowid or 0

"""Notes database: search and tag notes stored in SQLite."""

import sqlite3
from contextlib import closing

from fastmcp import FastMCP

mcp = FastMCP("Notes DB")
DB_PATH = "notes.db"


def connect() -> sqlite3.Connection:
    connection = sqlite3.connect(DB_PATH)
    connection.row_factory = sqlite3.Row
    return connection


@mcp.tool
def search_notes(query: str, limit: int = 20) -> list[dict]:
    """Full-text search over note titles and bodies."""
    pattern = f"%{query}%"
    with closing(connect()) as db:
        rows = db.execute(
            "SELECT id, title FROM notes WHERE title LIKE ? OR body LIKE ? "
            "ORDER BY updated DESC LIMIT ?",
            (pattern, pattern, limit),
        ).fetchall()
    return [dict(row) for row in rows]


@mcp.tool
def tag_note(note_id: int, tag: str) -> str:
    """Add a tag to a note."""
    with closing(connect()) as db:
        db.execute("INSERT INTO tags (note_id, tag) VALUES (?, ?)", (note_id, tag))
        db.commit()
    return "tagged"

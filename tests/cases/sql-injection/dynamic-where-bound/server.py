"""${name}: a golden case."""

from __future__ import annotations

import sqlite3

from fastmcp import FastMCP

mcp = FastMCP("Books")


@mcp.tool
def search(author: str | None = None, title: str | None = None) -> list[tuple]:
    """Search books by author and/or title."""
    clauses: list[str] = []
    values: list[str] = []
    if author:
        clauses.append("author = ?")
        values.append(author)
    if title:
        clauses.append("title LIKE ?")
        values.append(f"%{title}%")
    where = " AND ".join(clauses) or "1 = 1"
    with sqlite3.connect("books.db") as db:
        return db.execute(f"SELECT * FROM books WHERE {where}", values).fetchall()

"""${name}: a golden case."""

from __future__ import annotations

import sqlite3

from fastmcp import FastMCP

mcp = FastMCP("Attachments")
db = sqlite3.connect("attachments.db", check_same_thread=False)


@mcp.tool
def attachment(attachment_id: str) -> bytes:
    """The content of a stored attachment (its path comes from the database, not the caller)."""
    row = db.execute("SELECT path FROM attachments WHERE id = ?", (attachment_id,)).fetchone()
    with open(row[0], "rb") as handle:
        return handle.read()

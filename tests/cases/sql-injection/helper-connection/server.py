"""${name}: a golden case."""

from __future__ import annotations

import sqlite3

from fastmcp import FastMCP

mcp = FastMCP("Tasks")


def get_db() -> sqlite3.Connection:
    return sqlite3.connect("tasks.db")


def delete_where(clause: str) -> int:
    with get_db() as db:
        return db.execute("DELETE FROM tasks WHERE " + clause).rowcount


@mcp.tool
def delete_tasks(owner: str) -> int:
    """Delete every task of an owner."""
    return delete_where(f"owner = '{owner}'")

"""${name}: a golden case."""

from __future__ import annotations

import sqlite3
from typing import Literal

from fastmcp import FastMCP
from fastmcp.exceptions import ToolError

mcp = FastMCP("Metrics")
TABLES = ("cpu", "memory", "disk")
COLUMNS = frozenset({"host", "value", "at"})


@mcp.tool
def latest(table: str, columns: list[str], order: Literal["ASC", "DESC"] = "DESC",
           limit: int = 50) -> list[tuple]:
    """The latest rows of a metrics table."""
    if table not in TABLES:
        raise ToolError(f"unknown table {table!r}")
    for column in columns:
        if column not in COLUMNS:
            raise ToolError(f"unknown column {column!r}")
    selected = ", ".join(columns)
    with sqlite3.connect("metrics.db") as db:
        return db.execute(
            f"SELECT {selected} FROM {table} ORDER BY at {order} LIMIT {int(limit)}"
        ).fetchall()

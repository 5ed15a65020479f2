"""Analytics: explore the reporting database (PostgreSQL)."""

import os
from typing import Literal

import asyncpg
from fastmcp import FastMCP
from fastmcp.exceptions import ToolError

mcp = FastMCP("Analytics")
Table = Literal["orders", "customers", "invoices"]
COLUMNS = {
    "orders": {"id", "total", "created"},
    "customers": {"id", "country", "created"},
    "invoices": {"id", "amount", "due"},
}
SORTABLE = frozenset({"id", "total", "created", "amount", "due"})


@mcp.tool
async def top_rows(table: Table, order_by: str, limit: int = 10) -> list[dict]:
    """The first rows of a table, ordered by a column."""
    if order_by not in SORTABLE:
        raise ToolError(f"cannot order by {order_by!r}")
    pool = await asyncpg.create_pool(os.environ["ANALYTICS_DSN"])
    async with pool.acquire() as conn:
        rows = await conn.fetch(f"SELECT * FROM {table} ORDER BY {order_by} DESC LIMIT $1", limit)
    return [dict(row) for row in rows]


@mcp.tool
async def count_where(table: Table, column: str, value: str) -> int:
    """How many rows of a table have a value in a column."""
    if column not in {"id", "total", "created", "country", "amount", "due"}:
        raise ToolError(f"unknown column {column!r}")
    conn = await asyncpg.connect(os.environ["ANALYTICS_DSN"])
    try:
        return await conn.fetchval(f"SELECT count(*) FROM {table} WHERE {column} = $1", value)
    finally:
        await conn.close()

"""Analytics: explore the reporting database (PostgreSQL)."""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from fastmcp import Context, FastMCP


@asynccontextmanager
async def lifespan(server: FastMCP) -> AsyncIterator[dict]:
    pool = await asyncpg.create_pool(os.environ["ANALYTICS_DSN"])
    try:
        yield {"pool": pool}
    finally:
        await pool.close()


mcp = FastMCP("Analytics", lifespan=lifespan)


@mcp.tool
async def top_rows(table: str, order_by: str, ctx: Context, limit: int = 10) -> list[dict]:
    """The first rows of a table, ordered by a column."""
    pool = await asyncpg.create_pool(os.environ["ANALYTICS_DSN"])
    async with pool.acquire() as conn:
        rows = await conn.fetch(f"SELECT * FROM {table} ORDER BY {order_by} DESC LIMIT {limit}")
    return [dict(row) for row in rows]


@mcp.tool
async def count_where(table: str, column: str, value: str) -> int:
    """How many rows of a table have a value in a column."""
    conn = await asyncpg.connect(os.environ["ANALYTICS_DSN"])
    try:
        return await conn.fetchval(f"SELECT count(*) FROM {table} WHERE {column} = '{value}'")
    finally:
        await conn.close()

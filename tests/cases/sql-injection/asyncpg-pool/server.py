"""${name}: a golden case."""

from __future__ import annotations

import asyncpg

from fastmcp import FastMCP

mcp = FastMCP("Analytics")
POOL: asyncpg.Pool | None = None


@mcp.tool
async def top(table: str, limit: int = 10) -> list[dict]:
    """The largest rows of a table."""
    pool = await asyncpg.create_pool("postgresql://localhost/analytics")
    async with pool.acquire() as connection:
        rows = await connection.fetch(f"SELECT * FROM {table} ORDER BY size DESC LIMIT $1", limit)
    return [dict(row) for row in rows]

"""${name}: a golden case."""

from __future__ import annotations

from sqlalchemy import create_engine, text

from fastmcp import FastMCP

mcp = FastMCP("Users")
engine = create_engine("sqlite:///users.db")


@mcp.tool
def find(email: str) -> list[dict]:
    """Find users by e-mail."""
    with engine.connect() as connection:
        rows = connection.execute(text(f"SELECT * FROM users WHERE email = '{email}'"))
        return [dict(row._mapping) for row in rows]

"""${name}: a golden case."""

from __future__ import annotations

from fastmcp import FastMCP

from .db import get_connection

mcp = FastMCP("Reports")


@mcp.tool
def report(region: str) -> list[tuple]:
    """Sales of a region."""
    conn = get_connection()
    sql = "SELECT month, total FROM sales WHERE region = '{}'".format(region)
    return conn.execute(sql).fetchall()

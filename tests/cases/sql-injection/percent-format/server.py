"""${name}: a golden case."""

from __future__ import annotations

import psycopg

from fastmcp import FastMCP

mcp = FastMCP("Orders")


@mcp.tool
def orders(customer: str) -> list[tuple]:
    """Orders of a customer."""
    with psycopg.connect("dbname=shop") as conn, conn.cursor() as cur:
        cur.execute("SELECT id, total FROM orders WHERE customer = '%s'" % customer)
        return cur.fetchall()

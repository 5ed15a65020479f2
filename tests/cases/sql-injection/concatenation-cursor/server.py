"""${name}: a golden case."""

from __future__ import annotations

import sqlite3

from fastmcp import FastMCP

mcp = FastMCP("Inventory")


@mcp.tool
def stock(sku: str) -> list[tuple]:
    """Stock levels of one product."""
    connection = sqlite3.connect("inventory.db")
    cursor = connection.cursor()
    query = "SELECT warehouse, quantity FROM stock WHERE sku = '" + sku + "'"
    cursor.execute(query)
    return cursor.fetchall()

"""${name}: a golden case."""

from __future__ import annotations

import sqlite3
from typing import Annotated

from fastmcp import FastMCP
from pydantic import Field

mcp = FastMCP("SQL")


@mcp.tool
def run_query(query: Annotated[str, Field(description="A read-only SELECT statement.")]) -> list:
    """Run a SQL query against the analytics database."""
    with sqlite3.connect("file:analytics.db?mode=ro", uri=True) as connection:
        return connection.execute(query).fetchall()

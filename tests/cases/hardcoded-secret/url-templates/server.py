"""${name}: a golden case."""

from __future__ import annotations

"""Orders: reads the shop database.

Set DATABASE_URL, e.g. postgresql://shop:<password>@db.example.com:5432/shop.
"""

import os

from fastmcp import FastMCP

# mysql://user:password@host/orders also works, as does redis://:xxx@localhost:6379/0.
DATABASE_URL = os.environ["DATABASE_URL"]
mcp = FastMCP("Orders")


@mcp.tool
def database_host() -> str:
    """The host of the database, e.g. amqp://guest:***@rabbit/ gives rabbit."""
    return DATABASE_URL.rsplit("@", 1)[-1]

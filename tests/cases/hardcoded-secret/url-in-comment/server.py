"""${name}: a golden case."""

from __future__ import annotations

import os

from fastmcp import FastMCP

# staging: postgresql://shop:Wq7pZt2LmX9v@db.staging.internal/shop  <- a real one, leaked
DSN = os.environ.get("DATABASE_URL", "postgresql://shop:password@localhost/shop")
mcp = FastMCP("Orders")

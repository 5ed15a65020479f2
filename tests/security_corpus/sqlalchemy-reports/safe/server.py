"""Reports: monthly figures from the accounting database."""

import os

from fastmcp import FastMCP
from sqlalchemy import create_engine, text

engine = create_engine(os.environ.get("REPORTS_URL", "sqlite:///reports.db"))
mcp = FastMCP("Reports")
MONTHLY = text(
    "SELECT month, sum(amount) AS total FROM ledger "
    "WHERE department = :department AND year = :year GROUP BY month ORDER BY month"
)


@mcp.tool
def monthly(department: str, year: int) -> list[dict]:
    """Monthly totals of a department."""
    with engine.connect() as connection:
        result = connection.execute(MONTHLY, {"department": department, "year": year})
        return [dict(row._mapping) for row in result]

"""Reports: monthly figures from the accounting database."""

import os

from fastmcp import FastMCP
from sqlalchemy import create_engine, text

engine = create_engine(os.environ.get("REPORTS_URL", "sqlite:///reports.db"))
mcp = FastMCP("Reports")


def monthly_query(department: str, year: int) -> str:
    return (
        "SELECT month, sum(amount) AS total FROM ledger "
        f"WHERE department = '{department}' AND year = {year} GROUP BY month ORDER BY month"
    )


@mcp.tool
def monthly(department: str, year: int) -> list[dict]:
    """Monthly totals of a department."""
    with engine.connect() as connection:
        result = connection.execute(text(monthly_query(department, year)))
        return [dict(row._mapping) for row in result]

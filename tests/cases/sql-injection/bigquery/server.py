"""${name}: a golden case."""

from __future__ import annotations

from google.cloud import bigquery

from fastmcp import FastMCP

mcp = FastMCP("Warehouse")
client = bigquery.Client()


@mcp.tool
def daily(dataset: str, day: str) -> list[dict]:
    """Rows of a dataset for one day."""
    job = client.query(f"SELECT * FROM `{dataset}.events` WHERE day = '{day}'")
    return [dict(row) for row in job.result()]

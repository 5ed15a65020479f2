"""${name}: a golden case."""

from __future__ import annotations

from fastmcp import FastMCP

from .jobs import scheduler

mcp = FastMCP("Jobs")


@mcp.tool
def run_job(name: str) -> str:
    """Run a named job now."""
    job = scheduler.get(name)
    return job.execute(name)

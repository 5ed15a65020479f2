"""${name}: a golden case."""

from __future__ import annotations

import sys

from fastmcp import FastMCP

mcp = FastMCP("Reports")


def _debug(message: str) -> None:
    sys.stdout.write(message + "\n")


@mcp.resource("reports://{name}")
def report(name: str) -> str:
    """One report."""
    _debug(f"reading report {name}")
    return f"report {name}"

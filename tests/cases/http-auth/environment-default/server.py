"""${name}: a golden case."""

from __future__ import annotations

import os

from fastmcp import FastMCP

mcp = FastMCP("Clock")


@mcp.tool
def now() -> str:
    """The server's time."""
    import datetime

    return datetime.datetime.now().isoformat()


def main() -> None:
    mcp.run(transport="streamable-http", host=os.getenv("BIND", "0.0.0.0"))


if __name__ == "__main__":
    main()

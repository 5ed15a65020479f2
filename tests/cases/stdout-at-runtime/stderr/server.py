"""${name}: a golden case."""

from __future__ import annotations

import logging
import sys

from fastmcp import FastMCP

logging.basicConfig(level=logging.INFO)
handler = logging.StreamHandler(sys.stderr)
logger = logging.getLogger(__name__)
mcp = FastMCP("Indexer")


@mcp.tool
def index(path: str) -> int:
    """Index the files under a path."""
    print(f"indexing {path}", file=sys.stderr)
    logger.info("indexing %s", path)
    return len(path)


def main() -> None:
    print("starting the indexer (stdio)")  # not reached from a tool
    mcp.run()


if __name__ == "__main__":
    main()

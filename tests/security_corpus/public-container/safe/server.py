"""Dictionary: definitions of English words."""

import os

from fastmcp import FastMCP
from fastmcp.server.auth import StaticTokenVerifier

verifier = StaticTokenVerifier(tokens={os.environ["DICTIONARY_TOKEN"]: {"client_id": "team"}})
mcp = FastMCP("Dictionary", mask_error_details=True, auth=verifier)
WORDS = {"mcp": "Model Context Protocol", "sse": "server-sent events"}


@mcp.tool
def define(word: str) -> str:
    """The definition of a word."""
    return WORDS.get(word.lower(), "unknown")


if __name__ == "__main__":
    if os.environ.get("MCP_TRANSPORT", "stdio") == "http":
        mcp.run(
            transport="http",
            host=os.environ.get("HOST", "127.0.0.1"),
            port=int(os.environ.get("PORT", "8000")),
            host_origin_protection="auto",
        )
    else:
        mcp.run()

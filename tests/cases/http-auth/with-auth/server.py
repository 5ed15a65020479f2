"""${name}: a golden case."""

from __future__ import annotations

import os

from fastmcp import FastMCP
from fastmcp.server.auth.providers.jwt import JWTVerifier

auth = JWTVerifier(
    jwks_uri=os.environ.get("JWKS_URI", "https://auth.example.com/.well-known/jwks.json"),
    issuer="https://auth.example.com",
    audience="github-mcp",
)
mcp = FastMCP("GitHub", auth=auth)
TOKEN = os.environ["GITHUB_TOKEN"]


@mcp.tool
def token_set() -> bool:
    """Whether a token is configured."""
    return bool(TOKEN)


if __name__ == "__main__":
    mcp.run(transport="http", host="0.0.0.0", port=8000)

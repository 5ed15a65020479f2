"""Secrets from the environment; digests, ids and placeholders are not secrets."""

import hashlib
import os

from fastmcp import FastMCP

mcp = FastMCP("Payments", mask_error_details=True)
db_password = os.environ.get("DB_PASSWORD", "")
CACHE_URL = os.environ.get("CACHE_URL", "redis://127.0.0.1:6379/0")
TEMPLATE_URL = "redis://:${REDIS_PASSWORD}@cache.internal:6379/0"
EMPTY_DIGEST = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
assert hashlib.sha256(b"").hexdigest() == EMPTY_DIGEST
TEST_TOKEN = "not-a-real-token-just-for-docs"  # pragma: allowlist secret


@mcp.resource("data://status")
def status() -> str:
    """Whether the server is up."""
    return "ok"


def stripe_key() -> str:
    """Read when a tool needs it, not at import."""
    return os.environ["STRIPE_KEY"]

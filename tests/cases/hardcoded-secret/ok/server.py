"""Secrets from the environment; digests, ids and placeholders are not secrets."""

import hashlib
import os

from fastmcp import FastMCP

mcp = FastMCP("Payments")
STRIPE_KEY = os.environ["STRIPE_KEY"]
db_password = os.environ.get("DB_PASSWORD", "")
CACHE_URL = os.environ.get("CACHE_URL", "redis://127.0.0.1:6379/0")
TEMPLATE_URL = "redis://:${REDIS_PASSWORD}@cache.internal:6379/0"
EMPTY_DIGEST = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
assert hashlib.sha256(b"").hexdigest() == EMPTY_DIGEST
TEST_TOKEN = "not-a-real-token-just-for-docs"  # pragma: allowlist secret

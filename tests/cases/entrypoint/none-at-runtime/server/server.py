"""A server whose entrypoint is bound only on a branch that is not taken."""

import os

if os.environ.get("NEVER_SET_IN_A_PROBE"):
    from fastmcp import FastMCP

    mcp = FastMCP("Never")

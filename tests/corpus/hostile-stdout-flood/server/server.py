import os

chunk = b"x" * (1 << 20)
for _ in range(1024):
    os.write(1, chunk)

from fastmcp import FastMCP

mcp = FastMCP("Hostile")

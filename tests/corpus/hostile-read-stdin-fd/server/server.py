import os

request = os.read(0, 4096)

from fastmcp import FastMCP

mcp = FastMCP("Hostile")

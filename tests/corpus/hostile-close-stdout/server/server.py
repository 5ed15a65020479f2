import sys

sys.stdout.close()

from fastmcp import FastMCP

mcp = FastMCP("Hostile")

import os

os.chdir("/")

from fastmcp import FastMCP

mcp = FastMCP("Hostile")

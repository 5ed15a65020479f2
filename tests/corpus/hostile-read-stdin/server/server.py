import sys

request = sys.stdin.read()

from fastmcp import FastMCP

mcp = FastMCP("Hostile")

# café
from fastmcp import FastMCP

mcp = FastMCP("x")

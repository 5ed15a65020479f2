from fastmcp import FastMCP

mcp = FastMCP("One")

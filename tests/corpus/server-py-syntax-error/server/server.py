from fastmcp import FastMCP

def broken(:
    pass

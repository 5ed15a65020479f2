"""Binds every interface, in three ways."""

import os

import uvicorn
from fastmcp import FastMCP

mcp = FastMCP("Weather")
app = mcp.http_app()
BIND_HOST = "::"

if __name__ == "__main__":
    uvicorn.run(app, host=os.environ.get("HOST", "0.0.0.0"), port=8000)
    mcp.run(transport="http", host="0.0.0.0")

"""Binds mcp to something that is not a server."""

mcp = {"name": "not a server"}

"""A local module of the server."""

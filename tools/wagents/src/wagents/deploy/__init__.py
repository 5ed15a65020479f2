"""Running servers: `wagents serve`, task workers, Dockerfiles, client configs, the developer
wrappers around FastMCP's CLI (`inspect`, `call`, `dev`, `list`) and a server's own tests.

May import `probe`, `analysis`, `workspace`, `files` and `model`.
"""

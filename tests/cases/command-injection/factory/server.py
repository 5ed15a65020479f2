"""${name}: a golden case."""

from __future__ import annotations

import subprocess

from fastmcp import FastMCP


def create_server(workdir: str) -> FastMCP:
    server = FastMCP("Make")

    @server.tool
    def make(target: str) -> str:
        """Run a make target."""
        return subprocess.run(f"make -C {workdir} {target}", shell=True, capture_output=True,
                              text=True).stdout

    return server


mcp = create_server(".")

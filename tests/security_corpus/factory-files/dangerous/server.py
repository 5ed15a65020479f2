"""Project files: browse the files of a project directory."""

import os
from pathlib import Path

from fastmcp import FastMCP


def create_server(root: str) -> FastMCP:
    base = Path(root)
    server = FastMCP("Project files")

    @server.tool
    def list_dir(relative: str = ".") -> list[str]:
        """List a directory of the project."""
        return sorted(os.listdir(base / relative))

    @server.tool
    def read(relative: str) -> str:
        """Read a file of the project."""
        return (base / relative).read_text(errors="replace")

    @server.resource("project://{relative}")
    def resource(relative: str) -> str:
        """A file of the project as a resource."""
        with open(base / relative, encoding="utf-8") as handle:
            return handle.read()

    return server


mcp = create_server(os.environ.get("PROJECT_ROOT", "."))

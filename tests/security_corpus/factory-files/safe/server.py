"""Project files: browse the files of a project directory."""

import os
from pathlib import Path

from fastmcp import FastMCP
from fastmcp.exceptions import ToolError


def create_server(root: str) -> FastMCP:
    base = Path(root).resolve()
    server = FastMCP("Project files")

    def inside(relative: str) -> Path:
        path = (base / relative).resolve()
        if not path.is_relative_to(base):
            raise ToolError(f"{relative!r} is outside the project")
        return path

    @server.tool
    def list_dir(relative: str = ".") -> list[str]:
        """List a directory of the project."""
        return sorted(os.listdir(inside(relative)))

    @server.tool
    def read(relative: str) -> str:
        """Read a file of the project."""
        return inside(relative).read_text(errors="replace")

    @server.resource("project://{relative}")
    def resource(relative: str) -> str:
        """A file of the project as a resource."""
        with open(inside(relative), encoding="utf-8") as handle:
            return handle.read()

    return server


mcp = create_server(os.environ.get("PROJECT_ROOT", "."))

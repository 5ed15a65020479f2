"""Convert: documents between formats with pandoc."""

import subprocess
import tempfile
from pathlib import Path
from typing import Literal

from fastmcp import FastMCP

mcp = FastMCP("Convert")
Format = Literal["html", "docx", "rst", "latex"]


def run_pandoc(source: Path, target_format: str, standalone: bool) -> str:
    command = ["pandoc", str(source), "-t", target_format]
    if standalone:
        command.append("--standalone")
    return subprocess.check_output(command, text=True)


@mcp.tool
def convert(markdown: str, target_format: Format = "html", standalone: bool = False) -> str:
    """Convert Markdown text to another format."""
    with tempfile.NamedTemporaryFile("w", suffix=".md", delete=False) as handle:
        handle.write(markdown)
    return run_pandoc(Path(handle.name), target_format, standalone)

"""Convert: documents between formats with pandoc."""

import subprocess
import tempfile
from pathlib import Path

from fastmcp import FastMCP

mcp = FastMCP("Convert")


def run_pandoc(source: Path, target_format: str, extra: str) -> str:
    command = f"pandoc {source} -t {target_format} {extra}"
    return subprocess.check_output(command, shell=True, text=True)


@mcp.tool
def convert(markdown: str, target_format: str = "html", options: str = "") -> str:
    """Convert Markdown text to another format."""
    with tempfile.NamedTemporaryFile("w", suffix=".md", delete=False) as handle:
        handle.write(markdown)
    return run_pandoc(Path(handle.name), target_format, options)

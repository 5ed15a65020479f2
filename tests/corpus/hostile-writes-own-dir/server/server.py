"""Creates its data folder in its directory, and another beside it, when it is imported."""

from pathlib import Path

from fastmcp import FastMCP

DATA = Path(__file__).parent / "data"
DATA.mkdir(exist_ok=True)
(DATA / "notes.json").write_text("[]")
(Path(__file__).parent.parent / "shared-data").mkdir(exist_ok=True)  # next to the server

mcp = FastMCP("Notes", mask_error_details=True)


@mcp.tool
def count() -> int:
    """Count the notes."""
    return 0

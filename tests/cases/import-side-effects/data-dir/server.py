"""Creates its data folder next to its code when it is imported."""

from pathlib import Path

from fastmcp import FastMCP

DATA = Path(__file__).parent / "data"
DATA.mkdir(exist_ok=True)
(DATA / "notes.json").write_text("[]")

mcp = FastMCP("Notes", mask_error_details=True)


@mcp.tool
def count() -> int:
    """Count the notes."""
    return 0

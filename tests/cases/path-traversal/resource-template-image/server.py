"""${name}: a golden case."""

from __future__ import annotations

from pathlib import Path

from fastmcp import FastMCP
from fastmcp.utilities.types import Image

mcp = FastMCP("Gallery")
PHOTOS = Path("/srv/photos")


@mcp.resource("photos://{name}")
def photo(name: str) -> bytes:
    """One photo of the gallery."""
    return Image(path=PHOTOS / name).to_image_content().data

"""${name}: a golden case."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from fastmcp import FastMCP
from fastmcp.utilities.types import Image
from pydantic import Field

mcp = FastMCP("Gallery")
PHOTOS = Path("/srv/photos")
Size = Literal["small", "large"]


@mcp.resource("photos://{size}/{name}")
def photo(size: Size, name: Annotated[str, Field(pattern=r"^[a-z0-9_-]+\.jpg$")]) -> bytes:
    """One photo of the gallery, in one of two sizes."""
    return Image(path=PHOTOS / size / name).to_image_content().data


@mcp.tool
def report(kind: Literal["daily", "weekly"]) -> str:
    """Read a generated report."""
    return (Path("/srv/reports") / f"{kind}.txt").read_text()

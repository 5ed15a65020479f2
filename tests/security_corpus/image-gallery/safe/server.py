"""Gallery: photos of the team's shared album."""

from pathlib import Path
from typing import Annotated, Literal

from fastmcp import FastMCP
from fastmcp.utilities.types import Image
from pydantic import Field

mcp = FastMCP("Gallery")
ALBUM = Path("/srv/album")
PhotoName = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]+\.(jpg|png)$")]


@mcp.tool
def show_photo(filename: PhotoName) -> Image:
    """Show a photo of the album."""
    return Image(path=ALBUM / filename)


@mcp.resource("album://{folder}/{filename}", mime_type="image/jpeg")
def photo(folder: Literal["2023", "2024", "2025"], filename: PhotoName) -> bytes:
    """A photo as a resource."""
    return (ALBUM / folder / filename).read_bytes()

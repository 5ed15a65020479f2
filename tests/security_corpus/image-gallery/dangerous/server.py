"""Gallery: photos of the team's shared album."""

from pathlib import Path

from fastmcp import FastMCP
from fastmcp.utilities.types import Image

mcp = FastMCP("Gallery")
ALBUM = Path("/srv/album")


@mcp.tool
def show_photo(filename: str) -> Image:
    """Show a photo of the album."""
    return Image(path=ALBUM / filename)


@mcp.resource("album://{folder}/{filename}", mime_type="image/jpeg")
def photo(folder: str, filename: str) -> bytes:
    """A photo as a resource."""
    return (ALBUM / folder / filename).read_bytes()

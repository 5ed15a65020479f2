"""Closed objects, every property required, five levels, 100 properties."""

from typing import Annotated, Any, Literal

from fastmcp import FastMCP
from mcp.types import ToolAnnotations
from pydantic import BaseModel, ConfigDict, Field

mcp = FastMCP("Case", mask_error_details=True)
READ_ONLY = ToolAnnotations(
    readOnlyHint=True, destructiveHint=False, idempotentHint=True, openWorldHint=False
)
class Closed(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Level4(Closed):
    value: int


class Level3(Closed):
    inner: Level4


class Level2(Closed):
    inner: Level3


class Level1(Closed):
    inner: Level2


from pydantic import create_model

Wide = create_model(
    "Wide",
    __config__=ConfigDict(extra="forbid"),
    **{f"field_{index}": (int, ...) for index in range(94)},
)


@mcp.tool(annotations=READ_ONLY)
def total(
    tree: Annotated[Level1, Field(description="Four nested levels.")],
    values: Annotated[Wide, Field(description="The numbers to add.")],
) -> int:
    """Add the numbers of every field and return the sum."""
    return 0

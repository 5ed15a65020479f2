"""Objects six levels deep (the root and five models)."""

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


class Level5(Closed):
    value: int


class Level4(Closed):
    inner: Level5


class Level3(Closed):
    inner: Level4


class Level2(Closed):
    inner: Level3


class Level1(Closed):
    inner: Level2


@mcp.tool(annotations=READ_ONLY)
def depth(tree: Annotated[Level1, Field(description="Five nested levels.")]) -> int:
    """Return how deep the tree is."""
    return 5

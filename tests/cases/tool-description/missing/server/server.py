"""A tool and a prompt without descriptions, and a two-word one."""

from typing import Annotated, Any, Literal

from fastmcp import FastMCP
from mcp.types import ToolAnnotations
from pydantic import BaseModel, ConfigDict, Field

mcp = FastMCP("Case", mask_error_details=True)
READ_ONLY = ToolAnnotations(
    readOnlyHint=True, destructiveHint=False, idempotentHint=True, openWorldHint=False
)
@mcp.tool(annotations=READ_ONLY)
def search(query: Annotated[str, Field(description="Words to look for.")]) -> list[str]:
    return []


@mcp.tool(annotations=READ_ONLY)
def count() -> int:
    """Count notes."""
    return 0


@mcp.prompt
def review(topic: str) -> str:
    return f"Review the notes about {topic}."

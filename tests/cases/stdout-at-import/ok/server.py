"""Logs at import (stderr) and prints only when a tool runs (to stderr: stdout-at-runtime)."""

import logging
import sys
from typing import Annotated

from fastmcp import FastMCP
from mcp.types import ToolAnnotations
from pydantic import Field

logging.getLogger(__name__).warning("starting")
print("to stderr", file=sys.stderr)

mcp = FastMCP("Quiet", mask_error_details=True)


@mcp.tool(annotations=ToolAnnotations(readOnlyHint=True, destructiveHint=False))
def shout(text: Annotated[str, Field(description="What to print.")]) -> str:
    """Print the text (later, not at import)."""
    print(text, file=sys.stderr)
    return text

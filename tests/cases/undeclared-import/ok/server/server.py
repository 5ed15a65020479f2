"""Declared, standard-library, local, optional and type-checking-only imports."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import httpx
from fastmcp import FastMCP
from pydantic import Field

import helpers

try:
    import orjson
except ImportError:
    orjson = None

if TYPE_CHECKING:
    import tomlkit

mcp = FastMCP("Weather", mask_error_details=True)


@mcp.resource("data://status")
def status() -> str:
    """Whether the server is up."""
    return "ok"


def _sibling() -> object:
    """Imported when called (server.py runs as a top-level module, without a package)."""
    from . import sibling  # noqa: PLC0415  (relative: local by definition)

    return sibling

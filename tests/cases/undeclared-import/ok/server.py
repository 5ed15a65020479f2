"""Declared, standard-library, local, optional and type-checking-only imports."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import httpx
from fastmcp import FastMCP
from pydantic import Field

import helpers
from . import sibling  # noqa: F401  (relative: local by definition)

try:
    import orjson
except ImportError:
    orjson = None

if TYPE_CHECKING:
    import tomlkit

mcp = FastMCP("Weather")

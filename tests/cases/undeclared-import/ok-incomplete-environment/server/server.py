"""A declared dependency is not installed here: what it may bring in is not reported."""

import tomlkit
import weather_sdk
from fastmcp import FastMCP

mcp = FastMCP("Weather")

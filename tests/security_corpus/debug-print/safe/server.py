"""Units: convert between units."""

import logging

from fastmcp import FastMCP

logger = logging.getLogger(__name__)
mcp = FastMCP("Units")
FACTORS = {("km", "mi"): 0.621371, ("mi", "km"): 1.609344, ("kg", "lb"): 2.204623}


def convert_value(value: float, source: str, target: str) -> float:
    factor = FACTORS.get((source, target))
    logger.debug("converting %s %s -> %s (factor %s)", value, source, target, factor)
    if factor is None:
        raise ValueError(f"cannot convert {source} to {target}")
    return value * factor


@mcp.tool
def convert(value: float, source: str, target: str) -> float:
    """Convert a value between units (km, mi, kg, lb)."""
    return round(convert_value(value, source, target), 4)


if __name__ == "__main__":
    mcp.run()

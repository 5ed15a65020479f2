"""Tickets: read support tickets."""

import logging
import sys

from fastmcp import FastMCP

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
log = logging.getLogger("tickets")
mcp = FastMCP("Tickets")
TICKETS = {1: "printer on fire", 2: "password reset"}


@mcp.tool
def ticket(number: int) -> str:
    """The text of a ticket."""
    log.info("ticket %s requested", number)
    return TICKETS.get(number, "no such ticket")

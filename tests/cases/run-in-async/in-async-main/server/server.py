"""Starts the server from a coroutine with the blocking run()."""

import asyncio

from fastmcp import FastMCP

server = FastMCP("Weather", mask_error_details=True)


@server.resource("data://status")
def status() -> str:
    """Whether the server is up."""
    return "ok"




async def main() -> None:
    await asyncio.sleep(0)
    server.run(transport="http")


if __name__ == "__main__":
    asyncio.run(main())

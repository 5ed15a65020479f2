"""run_async in coroutines; run() only in synchronous code, including a nested helper."""

import asyncio
import subprocess

from fastmcp import FastMCP

mcp = FastMCP("Weather")


async def main() -> None:
    def blocking() -> None:  # runs in a thread, not in the event loop
        mcp.run()

    subprocess.run(["true"], check=False)
    await asyncio.to_thread(blocking)
    await mcp.run_async(transport="http")


if __name__ == "__main__":
    mcp.run()

"""run_async in coroutines; run() only in synchronous code, including a nested helper."""

import asyncio
import subprocess

from fastmcp import FastMCP

mcp = FastMCP("Weather", mask_error_details=True)


@mcp.resource("data://status")
def status() -> str:
    """Whether the server is up."""
    return "ok"




async def main() -> None:
    def blocking() -> None:  # runs in a thread, not in the event loop
        mcp.run()

    subprocess.run(["true"], check=False)
    await asyncio.to_thread(blocking)
    await mcp.run_async(transport="http")


if __name__ == "__main__":
    mcp.run()

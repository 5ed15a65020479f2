"""The siblings server's own tests."""

from fastmcp import Client
from server import server


async def test_greets_with_the_data_file() -> None:
    async with Client(server) as client:
        result = await client.call_tool("greet", {"name": "Ada"})
    assert result.data == "Hello, Ada!"

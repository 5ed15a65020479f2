"""Marks on a class and on single tests."""

import pytest


@pytest.mark.asyncio
class TestThings:
    async def test_in_class(self) -> None:
        assert True


@pytest.mark.anyio
async def test_anyio() -> None:
    assert True


def test_sync() -> None:
    assert True

"""Strict mode, with every async test marked (module-wide, on a class, on a test)."""

import pytest

pytestmark = [pytest.mark.asyncio]


async def test_module_marked() -> None:
    assert True

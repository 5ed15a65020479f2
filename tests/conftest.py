"""Shared fixtures (helpers that are not fixtures live in tests/helpers.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .helpers import REPO_ROOT


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


#: Servers for `wagents adopt` to bring in: their tests run once adopted, not from here.
collect_ignore = ["adopt_sources"]

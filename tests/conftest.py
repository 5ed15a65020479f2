"""Shared fixtures: the repository root, scratch workspaces, the real CLI."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


def require_tool(name: str) -> str:
    """The path of an external program; missing is a failure under CI=true, a skip elsewhere."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed (.ci/run installs it)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


#: Servers for `wagents adopt` to bring in: their tests run once adopted, not from here.
collect_ignore = ["adopt_sources"]

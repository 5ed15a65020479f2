"""Helpers shared by wagents' tests (conftest.py keeps only fixtures): the repository root and
`require_tool`. Helpers that servers' own tests may use too live in `wagents.testing`."""

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

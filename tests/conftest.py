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

#: The modules that take longest (seconds of all their tests on one xdist worker, from
#: `uv run pytest --durations=0`; they vary with the machine's load), roughly longest first: 10 s
#: or more each; the others, shorter, follow in file order. pytest-xdist (`--dist loadfile
#: --no-loadscope-reorder`) hands whole modules to the workers in collection order, so a long
#: module never starts near the end, with the other worker idle until it finishes.
LONG_FIRST = (
    "test_golden.py",  # ~80 s: one session fixture builds and validates every selected case
    "test_corpus.py",  # ~35-55 s: likewise every selected corpus case
    "test_crash_safety.py",
    "test_adopt.py",
    "test_precommit.py",
    "test_zygote.py",
    "test_new.py",
    "test_live.py",
    "test_tasks_redis.py",
    "test_isolated.py",
    "test_action.py",
    "test_surface_diff.py",
    "test_workflow.py",
    "test_fast_path.py",
    "test_devtools.py",
    "test_validate_scale.py",
    "test_fix.py",
    "test_cache.py",
    "test_conformance.py",
    "test_serve.py",
    "test_validate_cli.py",
    "test_servers.py",
    "test_clients.py",
    "test_suppressions.py",
    "test_docker.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Modules in `LONG_FIRST` order; each module's tests stay together and in their order."""
    rank = {name: index for index, name in enumerate(LONG_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: the rest keep order

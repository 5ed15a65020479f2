"""Which installed distribution provides a module, and what a set of requirements pulls in.

Answers come from `importlib.metadata` in wagents' own environment: the workspace venv, which
holds every server's dependencies (the root installs them all).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from functools import cache
from importlib import metadata

from packaging.markers import default_environment
from packaging.utils import NormalizedName, canonicalize_name

from wagents.workspace.requirements import Requirement, parse_texts


@cache
def _module_map() -> dict[str, frozenset[NormalizedName]]:
    return {
        module: frozenset(canonicalize_name(name) for name in names)
        for module, names in metadata.packages_distributions().items()
    }


def providers(module: str) -> frozenset[NormalizedName]:
    """Distributions that install top-level `module` (by their files); for editable installs,
    which list no package files, a distribution named like the module."""
    found = _module_map().get(module)
    if found:
        return found
    name = canonicalize_name(module)
    return frozenset({name}) if installed(name) else frozenset()


@cache
def installed(name: str) -> bool:
    try:
        metadata.distribution(name)
    except metadata.PackageNotFoundError:
        return False
    return True


@cache
def _requires(name: str) -> tuple[Requirement, ...]:
    try:
        texts = metadata.requires(name) or []
    except metadata.PackageNotFoundError:
        return ()
    return parse_texts(texts)


def _applies(requirement: Requirement, extras: frozenset[str]) -> bool:
    if requirement.marker is None:
        return True
    environment = {key: str(value) for key, value in default_environment().items()}
    return any(
        requirement.marker.evaluate({**environment, "extra": extra})
        for extra in (extras or frozenset({""}))
    )


def pulled_in(requirements: Iterable[Requirement]) -> dict[NormalizedName, NormalizedName]:
    """Every distribution the requirements bring in, transitively (installed ones only).

    Maps each to the declared requirement through which it first arrives (a declared one maps to
    itself), so a message can say "through fastmcp".
    """
    via: dict[NormalizedName, NormalizedName] = {}
    queue: deque[tuple[NormalizedName, frozenset[str], NormalizedName]] = deque()
    seen: set[tuple[NormalizedName, frozenset[str]]] = set()
    for requirement in requirements:
        name = canonicalize_name(requirement.name)
        queue.append((name, frozenset(requirement.extras), name))
    while queue:
        name, extras, root = queue.popleft()
        if (name, extras) in seen:
            continue
        seen.add((name, extras))
        via.setdefault(name, root)
        for requirement in _requires(name):
            if _applies(requirement, extras | frozenset({""})):
                child = canonicalize_name(requirement.name)
                queue.append((child, frozenset(requirement.extras), root))
    return via

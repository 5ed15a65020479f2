"""Which installed distribution provides a module, and what a set of requirements pulls in.

Answers come from `importlib.metadata` in wagents' own environment: the workspace venv, which
holds every server's dependencies (the root installs them all).
"""

from __future__ import annotations

import hashlib
import sys
from collections import deque
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import metadata
from pathlib import Path

from packaging.markers import default_environment
from packaging.utils import NormalizedName, canonicalize_name

from wagents.workspace.requirements import Requirement, parse_texts


def installed_digest() -> str:
    """A hash of where distributions are installed here: each site-packages directory on
    `sys.path` and its mtime, which changes whenever uv (or pip) adds, removes or replaces a
    distribution there (each has its own metadata directory)."""
    digest = hashlib.sha256(sys.executable.encode())
    for entry in sys.path:
        if entry.endswith(("site-packages", "dist-packages")):
            try:
                digest.update(f"\0{entry}\0{Path(entry).stat().st_mtime_ns}".encode())
            except OSError:
                continue
    return digest.hexdigest()


@cache
def module_map() -> dict[str, frozenset[NormalizedName]]:
    """Top-level module -> the distributions whose files install it."""
    return {
        module: frozenset(canonicalize_name(name) for name in names)
        for module, names in metadata.packages_distributions().items()
    }


def providers(module: str, modules: Mapping[str, frozenset[str]] | None = None) -> frozenset[str]:
    """Distributions that install top-level `module` (by their files, from `modules`: by default
    `module_map()`); for editable installs, which list no package files, a distribution named
    like the module."""
    found = (module_map() if modules is None else modules).get(module)
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


@cache
def _environment() -> dict[str, str]:
    """The marker environment of this interpreter (`python_version`, `sys_platform`, ...)."""
    return {key: str(value) for key, value in default_environment().items()}


@cache
def _applies(requirement: Requirement, extras: frozenset[str]) -> bool:
    """Whether an installed distribution's requirement applies here with `extras` requested.

    Cached: the same few hundred requirements of the installed distributions are asked about
    for every server."""
    if requirement.marker is None:
        return True
    environment = _environment()
    return any(
        requirement.marker.evaluate({**environment, "extra": extra})
        for extra in (extras or frozenset({""}))
    )


@cache
def _children(
    name: NormalizedName, extras: frozenset[str]
) -> tuple[tuple[NormalizedName, frozenset[str]], ...]:
    """The distributions installed `name` (with `extras`) requires here, with their extras."""
    return tuple(
        (canonicalize_name(requirement.name), frozenset(requirement.extras))
        for requirement in _requires(name)
        if _applies(requirement, extras | frozenset({""}))
    )


def pulled_in(requirements: Iterable[Requirement]) -> dict[NormalizedName, NormalizedName]:
    """Every distribution the requirements bring in, transitively (installed ones only).

    Maps each to the declared requirement through which it first arrives (a declared one maps to
    itself), so a message can say "through fastmcp".
    """
    roots = tuple(
        (canonicalize_name(requirement.name), frozenset(requirement.extras))
        for requirement in requirements
    )
    return dict(_pulled_in(roots))


@cache
def _pulled_in(
    roots: tuple[tuple[NormalizedName, frozenset[str]], ...],
) -> tuple[tuple[NormalizedName, NormalizedName], ...]:
    """pulled_in for declared (name, extras) pairs, breadth first; cached per declared set."""
    via: dict[NormalizedName, NormalizedName] = {}
    queue: deque[tuple[NormalizedName, frozenset[str], NormalizedName]] = deque(
        (name, extras, name) for name, extras in roots
    )
    seen: set[tuple[NormalizedName, frozenset[str]]] = set()
    while queue:
        name, extras, root = queue.popleft()
        if (name, extras) in seen:
            continue
        seen.add((name, extras))
        via.setdefault(name, root)
        for child, child_extras in _children(name, extras):
            queue.append((child, child_extras, root))
    return tuple(via.items())

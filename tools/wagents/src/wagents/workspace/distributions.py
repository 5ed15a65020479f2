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

"""Questions about version specifiers that both the rules and the scaffolding ask."""

from __future__ import annotations

from packaging.specifiers import SpecifierSet
from packaging.version import InvalidVersion, Version


def admitted_outside(specifier: SpecifierSet, allowed: SpecifierSet) -> Version | None:
    """A version `specifier` admits that `allowed` does not, or None when there is none.

    A specifier set is a union of intervals bounded by the versions it mentions, so the
    mentioned versions, their closest neighbours on both sides and the extremes are enough to
    find a difference. Pre-releases count only where `specifier` admits them (as uv does).
    """
    candidates = {Version("0"), Version("9999")}
    for item in (*specifier, *allowed):
        try:
            version = Version(item.version.removesuffix(".*"))
        except InvalidVersion:
            continue
        candidates |= _neighbours(version)
    prereleases = bool(specifier.prereleases)  # only where the specifier names one
    for candidate in sorted(candidates):
        if specifier.contains(candidate, prereleases=prereleases) and not allowed.contains(
            candidate, prereleases=True
        ):
            return candidate
    return None


def _neighbours(version: Version) -> set[Version]:
    """`version`, and versions just above and just below it."""
    base = version.base_version
    release = list(version.release)
    found = {version, Version(f"{base}.post1"), Version(f"{base}.dev0"), Version(f"{base}.1")}
    found.add(Version(".".join(map(str, [*release[:-1], release[-1] + 1]))))
    while release and release[-1] == 0:
        release.pop()
    if release:
        below = [*release[:-1], release[-1] - 1, 9999]
        found.add(Version(".".join(map(str, below))))
    return found

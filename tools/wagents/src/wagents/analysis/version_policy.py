"""Whether a server's version bump acknowledges a breaking change, by Cargo's semver rules.

Cargo (doc.rust-lang.org/cargo/reference/semver.html, "Change categories"; and the caret
requirements of doc.rust-lang.org/cargo/reference/specifying-dependencies.html) treats two
versions as compatible when their left-most non-zero component is the same: from 1.0.0 on that is
the major version, below it the minor one (0.3.x), and below 0.1.0 the patch (0.0.3). A breaking
change must therefore move that component: 1.4.2 → 2.0.0, 0.3.1 → 0.4.0, 0.0.3 → 0.0.4. A
pre-release of that version (2.0.0rc1) counts. Versions are read as PEP 440 versions (what
`[project].version` holds); missing components are zeros.
"""

from __future__ import annotations

from dataclasses import dataclass

from packaging.version import InvalidVersion, Version


@dataclass(frozen=True)
class BumpVerdict:
    """The verdict on one server's version for its breaking changes.

    `required` is the lowest version that acknowledges them (None when `before` is unreadable);
    `message` says what was found, in one sentence.
    """

    acknowledged: bool
    required: str | None
    message: str


def required_version(before: str) -> str:
    """The lowest version that is not compatible with `before` (raises InvalidVersion)."""
    major, minor, patch = _release(Version(before))
    if major > 0:
        return f"{major + 1}.0.0"
    if minor > 0:
        return f"0.{minor + 1}.0"
    return f"0.0.{patch + 1}"


def judge_bump(before: str | None, after: str | None) -> BumpVerdict:
    """Whether going from version `before` to `after` acknowledges a breaking change."""
    if before is None:
        return BumpVerdict(False, None, "the base has no [project].version to compare with")
    try:
        required = required_version(before)
    except InvalidVersion:
        return BumpVerdict(False, None, f"the base's version {before!r} is not a valid version")
    if after is None:
        return BumpVerdict(False, required, f"[project].version is missing (needs {required})")
    try:
        new = Version(after)
    except InvalidVersion:
        return BumpVerdict(False, required, f"[project].version {after!r} is not a valid version")
    if _release(new) >= _release(Version(required)):
        return BumpVerdict(True, required, f"version {before} → {after} acknowledges it")
    return BumpVerdict(
        False,
        required,
        f"version {before} → {after} does not acknowledge it: a breaking change needs "
        f"{required} or later",
    )


def _release(version: Version) -> tuple[int, int, int]:
    parts = (*version.release, 0, 0, 0)
    return parts[0], parts[1], parts[2]

"""Conventions of this test suite that a reviewer would otherwise have to remember."""

from __future__ import annotations

import re

from .helpers import REPO_ROOT

TESTS = REPO_ROOT / "tests"


def test_helpers_come_from_helpers_not_conftest() -> None:
    """conftest.py holds fixtures only; importing from it makes pytest load it twice (once as a
    plugin, once as a module) and hides what a helper is. Import from tests/helpers.py."""
    offenders = [
        path.name
        for path in sorted(TESTS.glob("*.py"))
        if re.search(r"^\s*from\s+(\.|tests\.)conftest\s+import", path.read_text(), re.M)
    ]
    assert offenders == [], f"import from .helpers instead of .conftest in {offenders}"


def test_no_case_uses_the_old_marker_files() -> None:
    """Golden cases are described by case.json (tests/casefiles.py), not marker files."""
    old = {"expected.json", "_remove", "_root.pyproject.toml", "_isolated", "_locked", "_live"}
    found = sorted(
        str(path.relative_to(TESTS))
        for path in (TESTS / "cases").glob("*/*/*")
        if path.name in old or (path.name.startswith("_") and path.is_file())
    )
    assert found == [], f"convert to case.json keys (see tests/casefiles.py): {found}"

"""Golden cases: tests/cases/<rule>/<case>/, one test each (`-k lockfile/stale` runs just that one).

A case is a directory in the format of tests/casefiles.py (`case.json`, `server/`, `root/`), built
into a server named `case-<rule>-<case>`. Its `expect.findings` lists every finding that server
gets, from any rule: a failing case lists its rule's findings (and whatever else the input
causes), a passing case lists none, so it proves the input is clean, not only that its own rule
is quiet.

Cases are built lazily, by the first test that needs them, and only those pytest selected.
Selected cases that can share a workspace (the default root, locked after their files are laid)
share one; a case with a `root/`, a `locked` other than true or `solo` gets one of its own;
`isolated` cases share one validated with `--isolated` (marked slow); `live` cases share one whose
`.venv` is the running environment, validated with every other rule and then with `--live` for
their own rule only (so that only its transport is launched); cases that wait for a `timeout`
(hangs) share one validated with that timeout. The cases of rules that read
the probe's facts (or judge the other findings) are validated with every rule, in one run per
workspace (one zygote for all their probes); the others, with every static rule (no probe: a
static case's server is not imported, so "no finding" means none from a static rule). That a
passing case of a runtime rule gets no finding from the clients family either (plain FastMCP
servers suit every default client profile) is part of "no finding from any rule".
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from wagents.check.engine import Options, validate
from wagents.check.rules import Stage, all_rules
from wagents.scaffold.new import new_server
from wagents.testing import link_environment, lock_workspace, scratch_workspace, write_surfaces
from wagents.workspace.root import Workspace

from .casefiles import Case, lay_files, load_case, matches, remove_paths
from .helpers import REPO_ROOT, require_tool

CASES_DIR = REPO_ROOT / "tests" / "cases"
RULES = all_rules()


def _load() -> list[Case]:
    return [
        load_case(
            case_dir, f"{rule_dir.name}/{case_dir.name}", f"case-{rule_dir.name}-{case_dir.name}"
        )
        for rule_dir in sorted(CASES_DIR.iterdir())
        if rule_dir.is_dir()
        for case_dir in sorted(rule_dir.iterdir())
        if case_dir.is_dir()
    ]


CASES = _load()


def rule_of(case: Case) -> str:
    return case.name.partition("/")[0]


def workspace_key(case: Case) -> tuple[str, ...]:
    """Cases with equal keys share a workspace and a validation run (read from case.json only)."""
    if case.root_files.exists() or case.solo or case.locked is not True:
        return ("solo", case.name)
    if case.isolated:
        return ("isolated",)
    if case.timeout is not None:
        return ("timeout", f"{case.timeout:g}")
    if case.live:
        return ("live",)
    return ("shared",)


def needs_probe(case: Case) -> bool:
    """Whether the case's rule reads what the probe found (or judges the others' findings)."""
    item = RULES[rule_of(case)]
    return item.runtime or item.after_findings


STATIC = Options(select=tuple(slug for slug, item in RULES.items() if not item.runtime))


class GoldenRuns:
    """Builds and validates the selected cases, a workspace at a time, when first asked."""

    def __init__(self, selected: Iterable[Case], base: Path) -> None:
        self.selected = list(selected)
        self.base = base
        self.findings: dict[str, list[dict[str, Any]]] = {}
        self.done: set[tuple[str, ...]] = set()

    def of(self, case: Case) -> list[dict[str, Any]]:
        """Every finding of the case's server."""
        key = workspace_key(case)
        if key not in self.done:
            group = [other for other in self.selected if workspace_key(other) == key]
            self._run(group or [case], key)
            self.done.add(key)
        return self.findings.get(case.server, [])

    def _run(self, cases: list[Case], key: tuple[str, ...]) -> None:
        root = self.base / "-".join(key).replace("/", "-")
        workspace = build_workspace(root, cases, self.base / "outside")
        if key == ("isolated",):
            runs = [(cases, Options(timeout=60, isolated=True))]
        elif key[0] == "timeout":
            runs = [(cases, Options(timeout=float(key[1])))]
        elif key == ("live",):
            link_environment(root)
            others = tuple(slug for slug, item in RULES.items() if item.stage is not Stage.LIVE)
            runs = [(cases, Options(timeout=15, select=others))]
            for slug in sorted({rule_of(case) for case in cases}):
                mine = [case for case in cases if rule_of(case) == slug]
                runs.append((mine, Options(timeout=60, live=True, select=(slug,))))
        else:  # one zygote for all the probed cases; the static ones are not imported
            probed = [case for case in cases if needs_probe(case)]
            runs = [(probed, Options(timeout=15)), ([c for c in cases if c not in probed], STATIC)]
        for group, options in runs:
            servers = workspace.select([case.server for case in group]) if group else []
            if not servers:
                continue
            for finding in validate(workspace, servers, options).findings:
                self.findings.setdefault(finding.server, []).append(finding.as_dict())


def build_workspace(root: Path, cases: list[Case], outside: Path) -> Workspace:
    """A scratch workspace at `root` holding `cases` as their case.json says (`outside`: where
    a case's `${outside}` files go)."""
    workspace = scratch_workspace(root)
    for case in cases:
        new_server(workspace, case.server)
    scaffolded = [case.server for case in cases if case.surface == "before-files"]
    if scaffolded:  # what `wagents new` writes, before the case changes the server
        write_surfaces(root, scaffolded)
    if any(case.locked == "before-files" for case in cases):
        require_tool("uv")
        lock_workspace(root, seed_lock=REPO_ROOT / "uv.lock")
    for case in cases:
        server_dir = workspace.servers_dir / case.server
        case_outside = outside / case.server
        case_outside.mkdir(parents=True)
        values = {"name": case.server, "outside": str(case_outside)}
        if case.server_files.exists():
            lay_files(case.server_files, server_dir, values)
        if case.root_files.exists():
            lay_files(case.root_files, root, values)
        remove_paths(server_dir, case.remove)
    if all(case.locked is True for case in cases):
        require_tool("uv")
        lock_workspace(root, seed_lock=REPO_ROOT / "uv.lock")
    recorded = [case.server for case in cases if case.surface is True]
    if recorded:  # what `wagents surface --write` leaves: no drift
        write_surfaces(root, recorded)
    return Workspace.find(root)


@pytest.fixture(scope="session")
def golden(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> GoldenRuns:
    """The runs of the golden cases this session selected (after -k and -m), built on demand."""
    selected = [
        item.callspec.params["case"]
        for item in request.session.items
        if getattr(item, "originalname", None) == "test_golden_case" and hasattr(item, "callspec")
    ]
    return GoldenRuns(selected, tmp_path_factory.mktemp("golden"))


def _param(case: Case) -> Any:
    return pytest.param(case, id=case.name, marks=case.marks)


@pytest.mark.parametrize("case", [_param(case) for case in CASES])
def test_golden_case(case: Case, golden: GoldenRuns) -> None:
    actual = golden.of(case)
    unexpected = list(actual)
    missing = []
    for want in case.findings:
        hit = next((got for got in unexpected if matches(want, got)), None)
        if hit is None:
            missing.append(want)
        else:
            unexpected.remove(hit)
    assert not missing and not unexpected, (
        f"{case.directory.relative_to(REPO_ROOT)}/case.json\n"
        f"expected but missing: {missing}\nfound but not expected: {unexpected}"
    )


def test_every_rule_has_a_failing_and_a_passing_case() -> None:
    for slug in RULES:
        own = [case for case in CASES if rule_of(case) == slug]
        failing = [c for c in own if any(f["rule"] == slug for f in c.findings)]
        assert failing, f"rule {slug} has no failing case in tests/cases/{slug}/"
        assert any(not c.findings for c in own), f"rule {slug} has no passing case"


def test_cases_name_existing_rules() -> None:
    for case in CASES:
        assert rule_of(case) in RULES, f"tests/cases/{rule_of(case)}/ is no rule"
        for finding in case.findings:
            assert finding["rule"] in RULES, f"{case.name}: unknown rule {finding['rule']}"

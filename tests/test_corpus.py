"""Every corpus case (tests/corpus/, see corpus_cases.py) through the real CLI.

Each case must produce what its case.json expects — findings or a one-line error, with the
expected exit status — and never a traceback, never a write to the workspace (for `validate`,
and for any command that fails), and the validator's own memory must stay bounded.

Server-level cases with the same command share one workspace and one `wagents` run (as a user's
workspace would); the others get a workspace and a run of their own. Runs go three at a time.
"""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from wagents.testing import link_environment, lock_workspace, scratch_workspace

from .conftest import REPO_ROOT
from .corpus_cases import (
    README,
    SETUPS,
    VERIFIERS,
    Case,
    drop_file_permission_override,
    lay_files,
    load_cases,
    readme_with_table,
    render_table,
    snapshot,
)

CASES = load_cases()
#: The validator's peak resident memory, whatever a server does (it imports pydantic and fastmcp).
MAX_VALIDATOR_RSS_MB = 300
#: Runs `wagents.cli.app.main` (what the console script calls) and records its peak memory.
_MEASURED_CLI = (
    "import atexit, resource, sys\n"
    "report = sys.argv[1]\n"
    "def record():\n"
    "    with open(report, 'w') as stream:\n"
    "        stream.write(str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))\n"
    "atexit.register(record)\n"
    "sys.argv = ['wagents', *sys.argv[2:]]\n"
    "from wagents.cli.app import main\n"
    "main()\n"
)


@dataclass
class Run:
    """One `wagents` invocation over one workspace, shared by the cases built into it."""

    root: Path
    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    rss_kb: int
    before: dict[str, str]
    after: dict[str, str]

    def findings_of(self, server: str) -> list[dict]:
        try:
            document = json.loads(self.stdout)
        except ValueError:
            return []
        return [f for f in document["findings"] if f["server"] == server]


def _build(root: Path, cases: list[Case], outside: Path) -> None:
    workspace = scratch_workspace(root, [case.name for case in cases])
    for case in cases:
        server = workspace.servers_dir / case.name
        case_outside = outside / case.name
        case_outside.mkdir(parents=True)
        values = {"name": case.name, "outside": str(case_outside)}
        if case.server_files.exists():
            lay_files(case.server_files, server, values)
        if case.root_files.exists():
            lay_files(case.root_files, root, values)
        if case.setup:
            SETUPS[case.setup](server, case_outside)
    if any(case.locked for case in cases):
        lock_workspace(root, seed_lock=REPO_ROOT / "uv.lock")
    if "--live" in cases[0].args:  # servers start with `uv run`, which needs an environment
        link_environment(root)


def _execute(root: Path, cases: list[Case], outside: Path) -> Run:
    args = cases[0].args
    before = snapshot(root)
    report = outside / f"rss-{root.name}"
    unprivileged = any(case.unprivileged for case in cases)
    completed = subprocess.run(
        [sys.executable, "-c", _MEASURED_CLI, str(report), *args],
        cwd=root,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        errors="replace",
        timeout=300,
        check=False,
        preexec_fn=drop_file_permission_override if unprivileged else None,
    )
    after = snapshot(root)
    rss = int(report.read_text()) if report.exists() else -1
    return Run(
        root, args, completed.returncode, completed.stdout, completed.stderr, rss, before, after
    )


@pytest.fixture(scope="session")
def corpus_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    """Build every workspace, run them all (three at a time); the run of each case by name."""
    base = tmp_path_factory.mktemp("corpus")
    outside = base / "outside"
    groups: dict[tuple, list[Case]] = {}
    for case in CASES:
        groups.setdefault(case.run_key, []).append(case)
    jobs = []
    for index, cases in enumerate(groups.values()):
        root = base / f"ws{index}"
        _build(root, cases, outside)
        jobs.append((root, cases))
    with ThreadPoolExecutor(max_workers=3) as pool:
        runs = list(pool.map(lambda job: _execute(job[0], job[1], outside), jobs))
    by_case = {}
    for (root, cases), run in zip(jobs, runs, strict=True):
        for case in cases:
            by_case[case.name] = run
        # Give permissions back so that pytest can clean up.
        for path in [root, *root.rglob("*")]:
            if not path.is_symlink() and path.exists() and path.stat().st_mode & 0o700 == 0:
                path.chmod(0o755 if path.is_dir() else 0o644)
    return by_case


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_corpus_case(case: Case, corpus_runs: dict[str, Run], tmp_path_factory) -> None:
    run = corpus_runs[case.name]
    expect = case.expect
    output = run.stdout + run.stderr
    assert "Traceback" not in output, output[-3000:]
    assert 0 < run.rss_kb <= MAX_VALIDATOR_RSS_MB * 1024, f"validator peak RSS {run.rss_kb} KB"
    shared = len([c for c in CASES if corpus_runs[c.name] is run]) > 1

    if expect.get("error"):
        assert run.returncode == expect["exit"], output
        lines = run.stderr.strip().splitlines()
        assert len(lines) == 1, f"expected one line on stderr, got {run.stderr!r}"
        assert lines[0].startswith("error: ") and expect["error"] in lines[0], lines[0]
        assert run.after == run.before, "a failing command changed the workspace"
        return

    if run.args[0] == "validate":
        findings = run.findings_of(case.name)
        assert not [f for f in findings if f["rule"] == "internal-error"], findings
        for want in expect.get("findings", []):
            matching = [
                f
                for f in findings
                if f["rule"] == want["rule"]
                and want["message"] in f["message"]
                and f["severity"] == want.get("severity", "error")
                and ("line" not in want or f["line"] == want["line"])
            ]
            assert matching, f"missing {want}\nactual {json.dumps(findings, indent=1)}"
        errors = any(f["severity"] == "error" for f in findings)
        assert expect["exit"] == (1 if errors else 0), findings
        if not shared:
            assert run.returncode == expect["exit"], output
        assert run.after == run.before, "wagents validate wrote into the workspace"
    else:
        assert run.returncode == expect["exit"], output
    if case.verify:
        VERIFIERS[case.verify](run.root, run.root.parent / "outside" / case.name)


def test_shared_runs_exit_with_the_worst_status(corpus_runs: dict[str, Run]) -> None:
    for run in {id(run): run for run in corpus_runs.values()}.values():
        cases = [c for c in CASES if corpus_runs[c.name] is run]
        assert run.returncode == max(c.expect["exit"] for c in cases), run.stderr[-2000:]


def test_the_report_table_is_current() -> None:
    readme = README.read_text(encoding="utf-8")
    assert readme_with_table(readme, render_table(CASES)) == readme, (
        "tests/README.md is stale: run `uv run python -m tests.corpus_cases`"
    )


def test_every_case_directory_has_an_expectation() -> None:
    from .corpus_cases import CORPUS_DIR

    for directory in CORPUS_DIR.iterdir():
        assert (directory / "case.json").is_file(), f"{directory} has no case.json"


def test_the_workspaces_are_left_clean(corpus_runs: dict[str, Run]) -> None:
    """No scratch or temporary files of wagents' own outside .wagents/ after any run."""
    for run in corpus_runs.values():
        leftovers = [p for p in run.after if p.endswith(".tmp") or "__pycache__" in p]
        assert not leftovers, leftovers

"""The fast path finds what the slow, plain path finds.

`wagents validate` is fast because it forks every probe from a preloaded zygote, answers from its
result cache and trusts a file's stat when its digest index says nothing changed. None of that may
change a finding: on golden cases of every rule that reads the probe's facts, the console script
must report the same findings

- with `--runner process --no-cache` (one fresh interpreter per server, nothing cached),
- cold with the cache (zygote, results stored), and
- warm (every result from the cache, no probe, no rule module loaded),
- and again after one server changed (the cache answers for the others only).

The hostile servers of the corpus (hangs, exits, crashes, mutated globals) are compared in both
runners fact by fact in tests/test_zygote.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from wagents.testing import run_wagents

from .test_golden import CASES, build_workspace, needs_probe, rule_of, workspace_key

#: Rules that read facts the cache remembers between runs (its environment memory).
REMEMBERED = ("fastmcp-json", "undeclared-import")


def _chosen() -> list[Any]:
    """The first failing case of each rule that reads the probe's facts or remembered facts
    (among those that share the default workspace), and one passing case."""
    chosen: dict[str, Any] = {}
    for case in CASES:
        if workspace_key(case) != ("shared",):
            continue
        if needs_probe(case):
            chosen.setdefault(rule_of(case) if case.findings else "passing", case)
        elif case.findings and rule_of(case) in REMEMBERED:
            chosen.setdefault(rule_of(case), case)
    return list(chosen.values())


def _order(finding: dict[str, Any]) -> str:
    return json.dumps(finding, sort_keys=True)


def _findings(root: Path, *args: str) -> list[dict[str, Any]]:
    done = run_wagents("validate", "--format", "json", "--timeout", "15", *args, cwd=root)
    assert done.returncode in (0, 1), done.stderr
    return sorted(json.loads(done.stdout)["findings"], key=_order)


@pytest.mark.slow  # a fresh interpreter per server
def test_every_path_reports_the_same_findings(tmp_path: Path) -> None:
    cases = _chosen()
    root = tmp_path / "ws"
    build_workspace(root, cases, tmp_path / "outside")

    plain = _findings(root, "--runner", "process", "--no-cache")
    cold = _findings(root)
    warm = _findings(root)
    assert cold == plain
    assert warm == plain
    # Not vacuous: every chosen failing case's rule reported something.
    failing = {rule_of(case) for case in cases if case.findings}
    assert failing <= {finding["rule"] for finding in plain}
    assert (root / ".wagents" / "cache").is_dir()

    # One server changes: the cache must not answer for it; the others' findings stay as they were.
    changed = next(case for case in cases if not case.findings)
    server_py = root / "mcp" / changed.server / "server.py"
    server_py.write_text(server_py.read_text(encoding="utf-8") + "\nprint('at import')\n", "utf-8")
    # Servers of the remembered rules are checked again too (a comment changes no finding): what
    # the cache remembered of the environment must give what asking it gave.
    for case in cases:
        if case.findings and rule_of(case) in REMEMBERED:
            touched = root / "mcp" / case.server / "server.py"
            touched.write_text(touched.read_text(encoding="utf-8") + "\n# touched\n", "utf-8")
    after = _findings(root)
    assert any(f["server"] == changed.server and f["rule"] == "stdout-at-import" for f in after), (
        after
    )
    mine = _findings(root, changed.server, "--runner", "process", "--no-cache")
    assert after == sorted([f for f in plain if f["server"] != changed.server] + mine, key=_order)

"""What the security rules of issue 16 cost per server, in-process, against the other rules.

    uv run python bench/security/run.py [--servers 20] [--repeat 7]

It builds one scratch workspace with `--servers` fresh scaffolds (half `wagents new`, half
`wagents new --tasks`) and the 48 servers of tests/security_corpus (24 servers, dangerous and safe
variants, laid over scaffolds as the corpus test does). For every server and every repeat it
creates fresh `ServerFacts`, reads and parses the files every static rule shares (the code
modules, config and deployment texts: other rules pay for them already), then times:

- new: the seven new rules (command-injection, sql-injection, path-traversal, ssrf, http-auth,
  blocking-call, stdout-at-runtime) through the engine's `_run_rules`, as `wagents validate` runs
  them: one taint analysis per module, shared by the rules;
- per-rule analysis (the naive way): the same rules, each analyzing every module again;
- all static rules before this change: the other static rules (for scale; hardcoded-secret's
  detect-secrets scan dominates them).

It prints medians, 90th percentiles and maxima in milliseconds per server, per group of servers,
and a Markdown table for bench/README.md. The clock is the thread's CPU time (`--clock wall` for
wall time), which other jobs on a shared machine disturb less.
"""

from __future__ import annotations

import argparse
import gc
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

from wagents.analysis import names, pyast
from wagents.check.engine import _run_rules
from wagents.check.facts import ServerFacts
from wagents.check.rules import Rule, all_rules
from wagents.check.rules import security as security_rules
from wagents.scaffold.new import new_server
from wagents.testing import scratch_workspace
from wagents.workspace.root import Workspace

REPO = Path(__file__).resolve().parents[2]
#: The clock: thread CPU time by default (a shared machine's load barely moves it).
CLOCK = [time.thread_time]
CORPUS = REPO / "tests" / "security_corpus"
NEW_RULES = (
    "command-injection",
    "sql-injection",
    "path-traversal",
    "ssrf",
    "http-auth",
    "blocking-call",
    "stdout-at-runtime",
)


def build(root: Path, scaffolds: int) -> tuple[Workspace, dict[str, str]]:
    """The workspace and each server's group (plain, tasks, corpus)."""
    workspace = scratch_workspace(root)
    groups: dict[str, str] = {}
    for index in range(scaffolds):
        variant = "tasks" if index % 2 else "plain"
        name = f"{variant}-{index:03d}"
        new_server(workspace, name, variant=variant)
        groups[name] = f"scaffold ({variant})"
    for case in sorted(path for path in CORPUS.iterdir() if path.is_dir()):
        for variant in ("dangerous", "safe"):
            name = f"{case.name}-{variant}"
            created = new_server(workspace, name).path
            for path in (case / variant).rglob("*"):
                if path.is_file():
                    shutil.copyfile(path, created / path.relative_to(case / variant))
            groups[name] = "security corpus"
    return Workspace.find(workspace.root), groups


def primed(facts: ServerFacts) -> ServerFacts:
    """Facts with the shared files read and parsed (what other rules pay for anyway)."""
    _ = facts.code_modules, facts.source, facts.texts, facts.files, facts.deployment
    return facts


def time_rules(facts: ServerFacts, rules: list[Rule], naive: bool = False) -> float:
    """Milliseconds of this thread's CPU time (`--clock wall`: wall time) the rules take."""
    clock = CLOCK[0]
    started = clock()
    if naive:
        for item in rules:
            # every rule walks and analyzes every module again
            for cache in (
                security_rules._REPORTS,
                security_rules._SERVING,
                pyast._NODES,
                names._CACHE,
            ):
                cache.clear()
            _run_rules(facts, [item])
    else:
        _run_rules(facts, rules)
    return (clock() - started) * 1000


def measure(
    workspace: Workspace, repeat: int, rules: list[Rule], naive: bool = False
) -> dict[str, list[float]]:
    """Milliseconds per server and repeat, fresh facts each time."""
    out: dict[str, list[float]] = {}
    for _ in range(repeat):
        for server in workspace.servers():
            facts = primed(ServerFacts(server, workspace))
            out.setdefault(server.name, []).append(time_rules(facts, rules, naive))
    return out


def summary(samples: list[float]) -> str:
    ordered = sorted(samples)
    p90 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))]
    return f"{statistics.median(ordered):.2f} / {p90:.2f} / {ordered[-1]:.1f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--servers", type=int, default=20, help="fresh scaffolds (default 20)")
    parser.add_argument("--repeat", type=int, default=7, help="repeats per server (default 7)")
    parser.add_argument(
        "--clock", choices=("cpu", "wall"), default="cpu", help="thread CPU time or wall time"
    )
    args = parser.parse_args(argv)
    CLOCK[0] = time.thread_time if args.clock == "cpu" else time.perf_counter
    registry = all_rules()
    new = [registry[slug] for slug in NEW_RULES]
    before = [
        item
        for item in registry.values()
        if not item.runtime and not item.after_findings and item.slug not in NEW_RULES
    ]
    with tempfile.TemporaryDirectory() as scratch:
        workspace, groups = build(Path(scratch) / "bench", args.servers)
        measure(workspace, 1, new)  # warm-up: imports, the data files, detect-secrets
        gc.collect()
        results: dict[str, Callable[[], dict[str, list[float]]]] = {
            "new rules": lambda: measure(workspace, args.repeat, new),
            "per-rule analysis": lambda: measure(workspace, args.repeat, new, naive=True),
            "static rules before": lambda: measure(workspace, max(1, args.repeat // 3), before),
        }
        figures = {label: run() for label, run in results.items()}
    print(
        f"Machine: {platform.machine()}, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, fastmcp {version('fastmcp')}; "
        f"{len(groups)} servers, {args.repeat} repeats, {args.clock} time",
        file=sys.stderr,
    )
    print(
        "| servers | count | new rules: median / p90 / max ms | per-rule analysis (naive) | "
        "static rules before |"
    )
    print("|---|---:|---:|---:|---:|")
    group_names = [*sorted(set(groups.values())), "all"]
    for group in group_names:
        members = [name for name, g in groups.items() if group in ("all", g)]
        cells = [
            summary([value for name in members for value in figures[label][name]])
            for label in results
        ]
        print(f"| {group} | {len(members)} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

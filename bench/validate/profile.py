"""Where a cold `wagents validate` spends its time, phase by phase, per server.

    uv run python bench/validate/profile.py [--servers 30] [--repeat 3]

On a scratch workspace of N scaffolded servers (locked, as the lockfile rule wants), in this
process and with wagents' own code, it times each phase of a cold run separately:

- cache keys: the run's context and every server's key, with an empty digest index (a cold
  run's) and with a full one (a warm run's);
- static rules, rule by rule, on facts built fresh (as a cold run builds them);
- probes: the scheduler over every server (the zygote, as validate uses it); the wall time of
  each probe as the runner saw it, and inside it the MCP session's; the CPU time of the zygote
  and all its children (their rusage, once the zygote is reaped), per server;
- the sandbox alone (copy the server, snapshot, side effects, removal), and one process-tree
  sweep (the /proc walk every probe does at its end);
- printing the text report.

CPU figures are this process's (thread CPU for the rules, process CPU otherwise); probe figures
are wall times of the children (2 at a time on 2 cores), so they overlap. Medians over servers
(and over `--repeat` runs for the rules). Prints a Markdown table for bench/README.md.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import statistics
import tempfile
import time
from pathlib import Path

from wagents.check.cache import DigestIndex, ResultCache, _hash_tree
from wagents.check.engine import validate
from wagents.check.facts import EnvironmentFacts, ServerFacts
from wagents.check.options import Options
from wagents.check.report.text_format import render
from wagents.check.rules import Stage, all_rules, run_check
from wagents.probe.proctree import kill_descendants
from wagents.probe.runner import ProbeLimits, request_for
from wagents.probe.sandbox import Sandbox
from wagents.probe.scheduler import Prober
from wagents.testing import scratch_workspace
from wagents.workspace.root import Workspace
from wagents.workspace.server import ServerFiles


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--servers", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wagents-profile-") as scratch:
        root = Path(scratch) / "ws"
        names = [f"server-{number:03d}" for number in range(args.servers)]
        workspace = scratch_workspace(root, names, locked=True)
        rows = profile(workspace, args.repeat)
    count = args.servers
    print(f"Cold run of {count} scaffolded servers, per server (load {load()}):\n")
    print("| phase | median ms per server | total ms |")
    print("|---|---:|---:|")
    for phase, per_server, total in rows:
        print(f"| {phase} | {per_server} | {total} |")


def load() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


Row = tuple[str, str, str]


def profile(workspace: Workspace, repeat: int) -> list[Row]:
    return [
        *cache_rows(workspace),
        *static_rows(workspace, repeat),
        *probe_rows(workspace),
        *other_rows(workspace),
    ]


def cache_rows(workspace: Workspace) -> list[Row]:
    """Cache keys: cold (the digest index empty: every file read) and warm (all indexed)."""
    servers = workspace.servers()
    count = len(servers)
    rows = []
    for label in ("cold", "warm"):
        started = time.process_time()
        cache = ResultCache.for_run(workspace, Options(cache=True))
        if label == "cold":
            cache.index = DigestIndex()
        for server in servers:
            cache.key(server)
        cache.index.save()
        spent = time.process_time() - started
        rows.append((f"cache keys ({label} digest index)", ms(spent / count), ms(spent)))
    return rows


def static_rows(workspace: Workspace, repeat: int) -> list[Row]:
    """Static rules, one by one, on fresh facts (each repeat builds them again)."""
    servers = workspace.servers()
    count = len(servers)
    rows: list[Row] = []
    rules = [rule for rule in all_rules().values() if rule.stage is Stage.STATIC]
    environment = EnvironmentFacts(workspace, frozenset(all_rules()))
    per_rule: dict[str, list[float]] = {rule.slug: [] for rule in rules}
    for _ in range(repeat):
        all_facts = [ServerFacts(ServerFiles(server, workspace), environment) for server in servers]
        for rule in rules:
            started = time.thread_time()
            for facts in all_facts:
                run_check(rule, facts)
            per_rule[rule.slug].append(time.thread_time() - started)
    static_total = 0.0
    for slug, spent in sorted(per_rule.items(), key=lambda item: -statistics.median(item[1])):
        median = statistics.median(spent)
        static_total += median
        if median / count >= 0.0001:
            rows.append((f"static rule `{slug}`", ms(median / count), ms(median)))
    rows.append(("all static rules", ms(static_total / count), ms(static_total)))
    return rows


def probe_rows(workspace: Workspace) -> list[Row]:
    """Probes through the scheduler (the zygote), as validate runs them."""
    servers = workspace.servers()
    rows: list[Row] = []
    requests = [request_for(ServerFiles(server, workspace)) for server in servers]
    started = time.monotonic()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with Prober(ProbeLimits(timeout=30)) as prober:
        prober.submit(requests)
        results = [runtime for _, runtime in prober.results()]
    wall = time.monotonic() - started
    # The zygote has exited and been reaped: its CPU time and its children's count now.
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    probe_seconds = [runtime.seconds for runtime in results]
    sessions = [runtime.session.seconds for runtime in results if runtime.session is not None]
    rows.append(
        (
            "probe, wall as the runner saw it (fork, import, session, sweep)",
            ms(statistics.median(probe_seconds)),
            ms(wall),
        )
    )
    rows.append(("  of which the MCP session", ms(statistics.median(sessions)), ms(sum(sessions))))
    rows.append(
        (
            "probe CPU: the zygote (preloading included) and its children, per server",
            ms(cpu / max(1, len(results))),
            ms(cpu),
        )
    )
    return rows


def other_rows(workspace: Workspace) -> list[Row]:
    """The sandbox and one process-tree sweep alone, printing, hashing tools/."""
    servers = workspace.servers()
    count = len(servers)
    rows: list[Row] = []
    sandbox_times = []
    for server in servers:
        started = time.perf_counter()
        sandbox = Sandbox.create(server.path, workspace.root)
        sandbox.side_effects()
        sandbox.remove()
        sandbox_times.append(time.perf_counter() - started)
    rows.append(("sandbox (copy, snapshots, removal)", ms(statistics.median(sandbox_times)), ""))
    sweeps = []
    for _ in range(10):
        started = time.perf_counter()
        kill_descendants(os.getpid())
        sweeps.append(time.perf_counter() - started)
    rows.append(("process-tree sweep (/proc walk)", ms(statistics.median(sweeps)), ""))
    # Printing.
    report = validate(workspace, servers, Options(select=("server-layout",)))
    started = time.perf_counter()
    render(report, False)
    rows.append(("text report", ms((time.perf_counter() - started) / count), ""))
    # The whole package's digest, for scale.
    started = time.process_time()
    _hash_tree(hashlib.sha256(), Path(__file__).resolve().parents[2] / "tools")
    rows.append(("(hashing tools/ without an index)", "", ms(time.process_time() - started)))
    return rows


if __name__ == "__main__":
    main()

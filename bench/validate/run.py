"""Benchmark `wagents validate` against the naive import loop, on generated workspaces.

    uv run python bench/validate/run.py [--sizes 10 30 100] [--naive-sample 20] [--repeat 3]

For each size N it scaffolds a scratch workspace of N servers (wagents.testing.scratch_workspace,
the same files `wagents new` writes) and measures, in the same run and with the same interpreter:

- naive: the seed's import check, `uv run python -c "from server import mcp"` in each server
  directory, one after the other. Above 30 servers it runs on the first `--naive-sample` servers
  only and the total is extrapolated (marked with ~ in the table);
- cold: `uv run wagents validate --no-cache` (every rule, every server probed, nothing cached),
  with its peak memory: the largest total PSS of its process tree (sampled every 0.1 s from
  /proc; PSS splits the pages forked children share with the zygote) and the largest RSS of a
  single process (getrusage);
- fresh processes: the same with `--runner process` (one new interpreter per server, in parallel),
  to show what the zygote adds over parallelism alone;
- warm: `uv run wagents validate` after a run that filled the cache (median of `--repeat`).

It prints the machine and a Markdown table (copy it into bench/README.md).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from wagents.testing import scratch_workspace

REPO = Path(__file__).resolve().parents[2]
SAMPLE_SECONDS = 0.1


@dataclass
class Timed:
    seconds: float
    returncode: int
    peak_pss_mb: float = 0.0
    max_rss_mb: float = 0.0


#: Runs a command and reports its wall time and the largest RSS among its descendants.
WRAPPER = """
import json, resource, subprocess, sys, time
started = time.perf_counter()
code = subprocess.call(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
seconds = time.perf_counter() - started
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps([seconds, code, rss]), file=sys.stderr)
"""


def uv() -> str:
    path = shutil.which("uv")
    if path is None:
        sys.exit("uv is not on PATH")
    return path


def run_timed(command: list[str], cwd: Path, sample_memory: bool = False) -> Timed:
    """Run `command` to completion: wall time; with `sample_memory`, its peak PSS and max RSS."""
    if not sample_memory:
        started = time.perf_counter()
        code = subprocess.call(
            command, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL
        )
        return Timed(time.perf_counter() - started, code)
    wrapper = subprocess.Popen(
        [sys.executable, "-c", WRAPPER, *command], cwd=cwd, stderr=subprocess.PIPE, text=True
    )
    peak = [0]
    done = threading.Event()
    sampler = threading.Thread(target=_sample, args=(wrapper.pid, peak, done), daemon=True)
    sampler.start()
    _, report = wrapper.communicate()
    done.set()
    sampler.join()
    seconds, code, rss_kb = json.loads(report.strip().splitlines()[-1])
    return Timed(seconds, code, peak[0] / 1024, rss_kb / 1024)


def _sample(wrapper_pid: int, peak: list[int], done: threading.Event) -> None:
    while not done.is_set():
        total = sum(_pss_kb(pid) for pid in _tree(wrapper_pid) if pid != wrapper_pid)
        peak[0] = max(peak[0], total)
        done.wait(SAMPLE_SECONDS)


def _tree(root_pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [root_pid]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


def _pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def build(root: Path, count: int) -> Path:
    names = [f"server-{number:03d}" for number in range(count)]
    scratch_workspace(root, names)
    return root


def naive(root: Path, count: int, sample: int) -> tuple[float, bool]:
    """Seconds for the naive loop over every server (extrapolated when sampled)."""
    servers = sorted((root / "mcp").iterdir())
    measured = servers if count <= 30 else servers[:sample]
    started = time.perf_counter()
    for server in measured:
        check = [uv(), "run", "--project", str(REPO), "python", "-c", "from server import mcp"]
        result = subprocess.run(
            check, cwd=server, stdin=subprocess.DEVNULL, capture_output=True, check=False
        )
        if result.returncode != 0:
            sys.exit(f"naive check failed in {server}: {result.stderr.decode()[-500:]}")
    seconds = time.perf_counter() - started
    return seconds * len(servers) / len(measured), len(measured) < len(servers)


def wagents(root: Path, *args: str, sample_memory: bool = False) -> Timed:
    command = [uv(), "run", "--project", str(REPO), "wagents", "validate", *args]
    timed = run_timed(command, root, sample_memory)
    if timed.returncode != 0:
        sys.exit(f"wagents validate {' '.join(args)} failed in {root} ({timed.returncode})")
    return timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 30, 100])
    parser.add_argument("--naive-sample", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    print(machine())
    rows = []
    with tempfile.TemporaryDirectory(prefix="wagents-bench-") as scratch:
        for count in args.sizes:
            root = build(Path(scratch) / f"ws{count}", count)
            naive_seconds, extrapolated = naive(root, count, args.naive_sample)
            cold = wagents(root, "--no-cache", sample_memory=True)
            fresh = wagents(root, "--no-cache", "--runner", "process")
            first = wagents(root)  # fills the cache
            warm = statistics.median(wagents(root).seconds for _ in range(args.repeat))
            rows.append((count, naive_seconds, extrapolated, cold, fresh, first, warm))
            print(f"  N={count}: done", file=sys.stderr)
    print(table(rows))


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = " ".join(f"{value:.1f}" for value in os.getloadavg())
    return (
        f"Machine: {os.cpu_count()} cores ({model}), {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, fastmcp {version('fastmcp')}, "
        f"load average at start {load}."
    )


def table(rows: list[tuple]) -> str:
    lines = [
        "| servers | naive loop | `--no-cache` (cold) | speed-up | cold per server "
        "| `--runner process` | first run (fills cache) | warm | peak PSS (cold) "
        "| max RSS, one process |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for count, naive_s, extrapolated, cold, fresh, first, warm in rows:
        approx = "~" if extrapolated else ""
        lines.append(
            f"| {count} | {approx}{naive_s:.1f} s | {cold.seconds:.2f} s "
            f"| {approx}{naive_s / cold.seconds:.0f}x | {cold.seconds / count * 1000:.0f} ms "
            f"| {fresh.seconds:.2f} s | {first.seconds:.2f} s | {warm:.2f} s "
            f"| {cold.peak_pss_mb:.0f} MB | {cold.max_rss_mb:.0f} MB |"
        )
    if len(rows) > 1:
        small, large = rows[0], rows[-1]
        extra = (large[3].seconds - small[3].seconds) / (large[0] - small[0]) * 1000
        lines += ["", f"Cost per extra server (cold, {small[0]} → {large[0]}): {extra:.0f} ms."]
    return "\n".join(lines)


if __name__ == "__main__":
    main()

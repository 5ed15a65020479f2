"""Benchmark `wagents validate` against the naive import loop, on generated workspaces.

    uv run python bench/validate/run.py [--sizes 10 30 100 300] [--naive-sample 20] [--repeat 5]

For each size N it scaffolds a scratch workspace of N servers (wagents.testing.scratch_workspace,
the same files `wagents new` writes) and measures, in the same run and with the same interpreter:

- naive: the seed's import check, `uv run python -c "from server import mcp"` in each server
  directory, one after the other. Above 30 servers it runs on the first `--naive-sample` servers
  only and the total is extrapolated (marked ~ in the table);
- cold: `wagents validate --no-cache` (every rule, every server probed, nothing cached),
  with its peak memory: the largest total PSS of its process tree (sampled every 0.1 s from
  /proc; PSS splits the pages forked children share with the zygote between them) and the
  largest RSS of a single process (getrusage);
- fresh processes: `--no-cache --runner process` (a new interpreter per server, `--jobs` in
  parallel), to show what the zygote adds to parallelism; up to `--process-max` servers;
- warm: `wagents validate` again, after a run that filled the cache;
- one change: `wagents validate` after one server's server.py changed (only it is checked again);
  and the same with `[tool.wagents] keep-zygote` set, forking from the zygote an earlier run kept.

`wagents` is the workspace environment's console script, run directly: `uv run` adds its own
start (measured once and printed, `uv run wagents --version` against `wagents --version`).
The cost per server is the slope of a least-squares line through the cold runs of all sizes.

Every `wagents` figure is the median of `--repeat` runs (and the best run). Besides wall time it
reports CPU time (user + system, of the whole process tree), which a busy machine disturbs less.
It prints the machine and a Markdown table (copy it into bench/README.md).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import resource
import shutil
import signal
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

#: Runs a command; reports wall time, status, CPU time and the largest RSS of its descendants.
WRAPPER = """
import json, resource, subprocess, sys, time
started = time.perf_counter()
code = subprocess.call(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
seconds = time.perf_counter() - started
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps([seconds, code, usage.ru_utime + usage.ru_stime, usage.ru_maxrss]),
      file=sys.stderr)
"""


@dataclass
class Timed:
    seconds: float  # median wall time
    cpu: float  # median CPU time
    peak_pss_mb: float = 0.0
    max_rss_mb: float = 0.0
    best: float = 0.0  # shortest wall time


def uv() -> str:
    path = shutil.which("uv")
    if path is None:
        sys.exit("uv is not on PATH")
    return path


def run_once(
    command: list[str], cwd: Path, sample_memory: bool, env: dict[str, str] | None = None
) -> Timed:
    wrapper = subprocess.Popen(
        [sys.executable, "-c", WRAPPER, *command],
        cwd=cwd,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )
    peak = [0]
    done = threading.Event()
    sampler = threading.Thread(target=_sample, args=(wrapper.pid, peak, done), daemon=True)
    if sample_memory:
        sampler.start()
    _, report = wrapper.communicate()
    done.set()
    if sample_memory:
        sampler.join()
    seconds, code, cpu, rss_kb = json.loads(report.strip().splitlines()[-1])
    if code != 0:
        sys.exit(f"{' '.join(command)} failed in {cwd} (status {code})")
    return Timed(seconds, cpu, peak[0] / 1024, rss_kb / 1024, seconds)


def median_run(command: list[str], cwd: Path, repeat: int, sample_memory: bool = False) -> Timed:
    runs = [run_once(command, cwd, sample_memory) for _ in range(repeat)]
    return Timed(
        statistics.median(run.seconds for run in runs),
        statistics.median(run.cpu for run in runs),
        max(run.peak_pss_mb for run in runs),
        max(run.max_rss_mb for run in runs),
        min(run.seconds for run in runs),
    )


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


def naive(root: Path, sample: int) -> tuple[Timed, bool]:
    """The naive loop over every server (extrapolated from the first `sample` above 30)."""
    servers = sorted((root / "mcp").iterdir())
    measured = servers if len(servers) <= 30 else servers[:sample]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    for server in measured:
        check = [uv(), "run", "--project", str(REPO), "python", "-c", "from server import mcp"]
        result = subprocess.run(
            check, cwd=server, stdin=subprocess.DEVNULL, capture_output=True, check=False
        )
        if result.returncode != 0:
            sys.exit(f"naive check failed in {server}: {result.stderr.decode()[-500:]}")
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    scale = len(servers) / len(measured)
    return Timed(seconds * scale, cpu * scale), scale != 1


def wagents(*args: str) -> list[str]:
    return [str(REPO / ".venv" / "bin" / "wagents"), *args]


def validate(*args: str) -> list[str]:
    return wagents("validate", *args)


def one_change(root: Path, repeat: int, env: dict[str, str] | None = None) -> Timed:
    """A cached run after one server's module changed (restored after each run)."""
    server = sorted((root / "mcp").iterdir())[0] / "server.py"
    original = server.read_bytes()
    runs = []
    try:
        for attempt in range(repeat):
            server.write_bytes(original + f"\n# edit {attempt}\n".encode())
            runs.append(run_once(validate(), root, False, env))
    finally:
        server.write_bytes(original)
    return Timed(
        statistics.median(run.seconds for run in runs),
        statistics.median(run.cpu for run in runs),
        best=min(run.seconds for run in runs),
    )


def kept_one_change(root: Path, runtime: Path, repeat: int) -> Timed:
    """`one_change` with `keep-zygote` set: the runs fork from the zygote the first one kept
    (its socket in `runtime`, stopped at the end)."""
    pyproject = root / "pyproject.toml"
    original = pyproject.read_bytes()
    runtime.mkdir(mode=0o700)
    env = {"XDG_RUNTIME_DIR": str(runtime)}
    try:
        pyproject.write_bytes(original + b"\n[tool.wagents]\nkeep-zygote = 600\n")
        run_once(validate(), root, False, env)  # fills the cache again, and keeps a zygote
        return one_change(root, repeat, env)
    finally:
        pyproject.write_bytes(original)
        for pid in _tree(1):  # stop the kept zygote: the one whose socket is in `runtime`
            with contextlib.suppress(OSError):
                if str(runtime).encode() in Path(f"/proc/{pid}/cmdline").read_bytes():
                    os.kill(pid, signal.SIGTERM)


def slope(points: list[tuple[int, float]]) -> float:
    """The least-squares slope of (servers, value)."""
    if len(points) < 2:
        return float("nan")
    mean_x = statistics.fmean(x for x, _ in points)
    mean_y = statistics.fmean(y for _, y in points)
    num = sum((x - mean_x) * (y - mean_y) for x, y in points)
    den = sum((x - mean_x) ** 2 for x, _ in points)
    return num / den


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 30, 100, 300])
    parser.add_argument("--naive-sample", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--process-max", type=int, default=30)
    args = parser.parse_args()

    print(machine())
    uv_start = run_once([uv(), "run", "--project", str(REPO), "wagents", "--version"], REPO, False)
    own_start = run_once(wagents("--version"), REPO, False)
    print(
        f"`uv run wagents --version` {uv_start.seconds * 1000:.0f} ms, "
        f"`wagents --version` {own_start.seconds * 1000:.0f} ms."
    )
    rows = []
    with tempfile.TemporaryDirectory(prefix="wagents-bench-") as scratch:
        for count in args.sizes:
            root = Path(scratch) / f"ws{count}"
            names = [f"server-{number:03d}" for number in range(count)]
            scratch_workspace(root, names, locked=True)  # the lockfile rule wants a uv.lock
            run_once(wagents("--version"), root, False)
            naive_run, extrapolated = naive(root, args.naive_sample)
            cold = median_run(validate("--no-cache"), root, args.repeat, sample_memory=True)
            fresh = None
            if count <= args.process_max:
                fresh = median_run(validate("--no-cache", "--runner", "process"), root, 1)
            run_once(validate(), root, False)  # fills the cache
            warm = median_run(validate(), root, args.repeat)
            changed = one_change(root, args.repeat)
            kept = kept_one_change(root, Path(scratch) / f"run{count}", args.repeat)
            rows.append((count, naive_run, extrapolated, cold, fresh, warm, changed, kept))
            print(f"  N={count}: done", file=sys.stderr)
    print(table(rows))
    print(f"\nLoad average at the end: {load_average()}.")


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"Machine: {os.cpu_count()} cores ({model}), {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, fastmcp {version('fastmcp')}, "
        f"load average at start {load_average()}."
    )


def load_average() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def table(rows: list[tuple]) -> str:
    lines = [
        "| servers | naive loop | cold `--no-cache` | speed-up | CPU: naive / cold "
        "| cold CPU per server | `--runner process` | warm | one change "
        "| one change, kept zygote | peak PSS, cold | max RSS of a process |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for count, naive_run, extrapolated, cold, fresh, warm, changed, kept in rows:
        approx = "~" if extrapolated else ""
        process = f"{fresh.seconds:.1f} s" if fresh else "not run"
        lines.append(
            f"| {count} | {approx}{naive_run.seconds:.1f} s "
            f"| {cold.seconds:.2f} s (best {cold.best:.2f}) "
            f"| {approx}{naive_run.seconds / cold.seconds:.0f}x "
            f"(best {approx}{naive_run.seconds / cold.best:.0f}x) "
            f"| {approx}{naive_run.cpu:.1f} s / {cold.cpu:.2f} s "
            f"= {approx}{naive_run.cpu / cold.cpu:.0f}x "
            f"| {cold.cpu / count * 1000:.0f} ms | {process} "
            f"| {warm.seconds:.2f} s (best {warm.best:.2f}) "
            f"| {changed.seconds:.2f} s (best {changed.best:.2f}) "
            f"| {kept.seconds:.2f} s (best {kept.best:.2f}; CPU {kept.cpu:.2f} s) "
            f"| {cold.peak_pss_mb:.0f} MB | {cold.max_rss_mb:.0f} MB |"
        )
    lines.append("")
    lines.append(
        "Wall times are medians of the runs (best in brackets); CPU is user + system time of the "
        "whole process tree."
    )
    if len(rows) > 1:
        wall = slope([(row[0], row[3].seconds) for row in rows]) * 1000
        cpu = slope([(row[0], row[3].cpu) for row in rows]) * 1000
        warm = slope([(row[0], row[5].seconds) for row in rows]) * 1000
        lines.append(
            f"Cost per server (least-squares slope over {len(rows)} sizes): cold {wall:.1f} ms "
            f"wall and {cpu:.1f} ms CPU; warm {warm:.2f} ms wall."
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()

"""Benchmark what `wagents validate --live` adds per server, on generated workspaces.

    uv run python bench/live/run.py [--sizes 1 4] [--repeat 3]

For each size N it scaffolds a scratch workspace of N servers (wagents.testing.scratch_workspace,
locked, with the running environment as its `.venv`, as `uv sync` would leave it) and measures,
in the same run: `wagents validate --no-cache` (the baseline), the same with `--live` (both
transports of every server, `--jobs` default), `--live --jobs 1` (one server at a time), and
`--live` with only `live-stdio` or only `live-http` selected (one transport). The extra cost per
server is (live - baseline) / N. Wall times and CPU times (user + system of the whole process
tree) are medians of `--repeat` runs; it prints the machine and a Markdown table.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import tempfile
from pathlib import Path

from wagents.testing import link_environment, scratch_workspace

# bench/validate/run.py's timing helpers (a run's wall and CPU time, medians, the machine).
_VALIDATE_BENCH = Path(__file__).resolve().parents[1] / "validate" / "run.py"
_spec = importlib.util.spec_from_file_location("bench_validate", _VALIDATE_BENCH)
assert _spec is not None and _spec.loader is not None
bench_validate = importlib.util.module_from_spec(_spec)
sys.modules["bench_validate"] = bench_validate  # its dataclasses look their module up
_spec.loader.exec_module(bench_validate)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    validate, median_run = bench_validate.validate, bench_validate.median_run

    print(bench_validate.machine())
    rows = []
    with tempfile.TemporaryDirectory(prefix="wagents-bench-live-") as scratch:
        for count in args.sizes:
            root = Path(scratch) / f"ws{count}"
            scratch_workspace(root, [f"server-{n:03d}" for n in range(count)], locked=True)
            link_environment(root)
            bench_validate.run_once(validate("--no-cache"), root, False)  # warm the OS caches
            base = median_run(validate("--no-cache"), root, args.repeat)
            live = median_run(validate("--no-cache", "--live"), root, args.repeat)
            serial = median_run(validate("--no-cache", "--live", "--jobs", "1"), root, 1)
            stdio = median_run(
                validate("--no-cache", "--live", "--select", "live-stdio"), root, args.repeat
            )
            http = median_run(
                validate("--no-cache", "--live", "--select", "live-http"), root, args.repeat
            )
            rows.append((count, base, live, serial, stdio, http))
            print(f"  N={count}: done", file=sys.stderr)
    print(table(rows))
    print(f"\nLoad average at the end: {bench_validate.load_average()}.")


def table(rows: list[tuple]) -> str:
    lines = [
        "| servers | `--no-cache` | `--no-cache --live` | extra per server: wall / CPU "
        "| `--live --jobs 1` | only `live-stdio` | only `live-http` |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for count, base, live, serial, stdio, http in rows:
        extra = (live.seconds - base.seconds) / count
        extra_cpu = (live.cpu - base.cpu) / count
        lines.append(
            f"| {count} | {base.seconds:.2f} s | {live.seconds:.2f} s (best {live.best:.2f}) "
            f"| {extra:.2f} s / {extra_cpu:.2f} s | {serial.seconds:.2f} s "
            f"| {stdio.seconds:.2f} s | {http.seconds:.2f} s |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()

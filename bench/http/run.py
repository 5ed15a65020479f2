"""Tool-call throughput and latency of one server over streamable HTTP: 1 vs 2 uvicorn workers,
stateless vs stateful. Not a test: figures for bench/README.md (`## http`).

    uv run python bench/http/run.py [--sessions 16] [--calls 25] [--rounds 3] [--json out.json]

A scaffolded server (`wagents new`, its `echo` tool) runs in a scratch workspace under the command
`wagents serve NAME --transport http` runs (serving.http_launch): uvicorn on `server:app`,
127.0.0.1, a free port; the four configurations run side by side and the rounds interleave them,
so a load change on the machine hits them alike. The load comes from one client process:
`--sessions` fastmcp Clients at once, each making `--calls` sequential `echo` calls after its
handshake. Throughput is calls per second of wall time over a round (handshakes included);
latency is per call; server CPU is the user+system time of uvicorn and its workers per call (from
/proc), client CPU the bench process's own. The table shows the median round of `--rounds`,
after a warm-up round.

"2 workers, stateful" is what `wagents serve` refuses to run: a session lives in the worker that
opened it, and requests the kernel hands to the other worker fail. It is measured to show that.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import platform
import resource
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import fastmcp
import httpx
from fastmcp import Client

from wagents.deploy.serving import STATELESS_ENV, HttpOptions, http_launch
from wagents.testing import free_port, scratch_workspace
from wagents.workspace.server import ServerFiles

SERVER = "bench"


@dataclass(frozen=True)
class Config:
    label: str
    workers: int
    stateless: bool


CONFIGS = (
    Config("1 worker, stateful", 1, False),
    Config("1 worker, stateless", 1, True),
    Config("2 workers, stateless", 2, True),
    Config("2 workers, stateful", 2, False),
)


@dataclass
class Round:
    calls: int
    failed_sessions: int
    seconds: float
    latencies_ms: list[float]
    server_cpu_seconds: float = 0.0
    client_cpu_seconds: float = 0.0

    @property
    def throughput(self) -> float:
        return self.calls / self.seconds if self.seconds else 0.0


@dataclass
class Running:
    config: Config
    process: subprocess.Popen[bytes]
    url: str


def group_cpu_seconds(pgid: int) -> float:
    """User + system CPU time of every process in the group (uvicorn and its workers)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # fields[2] is pgrp (after pid and comm)
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def client_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@contextlib.contextmanager
def running(facts: ServerFiles, config: Config, log: Path):
    port = free_port()
    options = HttpOptions(port=port, workers=config.workers, stateless=config.stateless)
    launch = http_launch(facts, options, {**os.environ, "FASTMCP_LOG_LEVEL": "WARNING"})
    env = dict(launch.env)
    env[STATELESS_ENV] = "true" if config.stateless else "false"
    command = [*launch.command, "--no-access-log", "--log-level", "warning"]
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command,
            cwd=launch.cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise SystemExit(f"server exited:\n{log.read_text()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise SystemExit("server did not answer /health within 60 s")
            time.sleep(0.1)
        time.sleep(1.0 if config.workers > 1 else 0.2)  # let every worker finish starting
        yield Running(config, process, f"{base}/mcp")
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


async def one_session(url: str, calls: int, latencies: list[float]) -> int:
    done = 0
    async with Client(url, timeout=30) as client:
        for index in range(calls):
            started = time.perf_counter()
            result = await client.call_tool("echo", {"text": f"call {index}"})
            latencies.append((time.perf_counter() - started) * 1000)
            assert result.data == f"call {index}"
            done += 1
    return done


async def one_round(url: str, sessions: int, calls: int) -> Round:
    latencies: list[float] = []
    started = time.perf_counter()
    outcomes = await asyncio.gather(
        *(one_session(url, calls, latencies) for _ in range(sessions)), return_exceptions=True
    )
    seconds = time.perf_counter() - started
    failed = sum(1 for outcome in outcomes if isinstance(outcome, BaseException))
    done = sum(outcome for outcome in outcomes if isinstance(outcome, int))
    return Round(done, failed, seconds, latencies)


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=16)
    parser.add_argument("--calls", type=int, default=25)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    # The stateful 2-worker row fails on purpose; one log line per failed session says nothing more.
    logging.getLogger("mcp.client.streamable_http").setLevel(logging.CRITICAL)

    rounds: dict[str, list[Round]] = {config.label: [] for config in CONFIGS}
    with (
        tempfile.TemporaryDirectory(prefix="bench-http-") as scratch,
        contextlib.ExitStack() as stack,
    ):
        workspace = scratch_workspace(Path(scratch) / "repo", [SERVER])
        (server,) = workspace.select([SERVER])
        facts = ServerFiles(server, workspace)
        servers = [
            stack.enter_context(running(facts, config, Path(scratch) / f"{index}.log"))
            for index, config in enumerate(CONFIGS)
        ]
        for item in servers:
            asyncio.run(one_round(item.url, args.sessions, 5))  # warm-up
        for _ in range(args.rounds):
            for item in servers:
                cpu_before = group_cpu_seconds(item.process.pid)
                client_before = client_cpu_seconds()
                result = asyncio.run(one_round(item.url, args.sessions, args.calls))
                result.server_cpu_seconds = group_cpu_seconds(item.process.pid) - cpu_before
                result.client_cpu_seconds = client_cpu_seconds() - client_before
                rounds[item.config.label].append(result)

    results = []
    for config in CONFIGS:
        done = rounds[config.label]
        median = sorted(done, key=lambda r: r.throughput)[len(done) // 2]
        everything = [ms for r in done for ms in r.latencies_ms]
        calls = sum(r.calls for r in done)
        cpu = sum(r.server_cpu_seconds for r in done)
        client_cpu = sum(r.client_cpu_seconds for r in done)
        row = {
            "config": config.label,
            "workers": config.workers,
            "stateless": config.stateless,
            "calls_per_s": round(median.throughput, 1),
            "calls_per_s_rounds": [round(r.throughput, 1) for r in done],
            "p50_ms": round(percentile(everything, 0.50), 1),
            "p99_ms": round(percentile(everything, 0.99), 1),
            "server_cpu_ms_per_call": round(1000 * cpu / calls, 2) if calls else None,
            "client_cpu_ms_per_call": round(1000 * client_cpu / calls, 2) if calls else None,
            "failed_sessions": sum(r.failed_sessions for r in done),
            "sessions": args.sessions * len(done),
        }
        results.append(row)
        print(json.dumps(row), file=sys.stderr)

    base = results[0]["calls_per_s"] or 1.0
    machine = platform.processor() or platform.machine()
    print(
        f"\n{args.sessions} concurrent sessions x {args.calls} echo calls per round, median of "
        f"{args.rounds} rounds; {os.cpu_count()} CPUs ({machine}), load average "
        f"{os.getloadavg()[0]:.1f}, Python {platform.python_version()}, "
        f"fastmcp {fastmcp.__version__}\n"
    )
    print(
        "| configuration | calls/s | vs 1 worker stateful | p50 ms | p99 ms "
        "| server CPU ms/call | client CPU ms/call | failed sessions |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for row in results:
        print(
            f"| {row['config']} | {row['calls_per_s']} | {row['calls_per_s'] / base:.2f}x | "
            f"{row['p50_ms']} | {row['p99_ms']} | {row['server_cpu_ms_per_call']} | "
            f"{row['client_cpu_ms_per_call']} | "
            f"{row['failed_sessions']}/{row['sessions']} |"
        )
    if args.json is not None:
        document = {"args": {**vars(args), "json": str(args.json)}, "results": results}
        args.json.write_text(json.dumps(document, indent=2) + "\n")


if __name__ == "__main__":
    main()

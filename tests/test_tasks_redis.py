"""Background tasks across processes: a real Redis, the server over HTTP, `wagents worker`.

A `wagents new --tasks` server runs under uvicorn (its own Docket worker named `web`) and
`wagents worker jobs --count 2` adds two more (`pool-1`, `pool-2`); real fastmcp Clients submit
tasks over HTTP. These tests fail, not skip, under CI=true when redis-server is missing.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from docket import Docket
from fastmcp import Client
from fastmcp.client.tasks import ToolTask
from fastmcp.server.tasks.keys import task_redis_prefix

from wagents.scaffold.new import new_server
from wagents.testing import scratch_workspace

from .taskcluster import (
    Processes,
    Started,
    processes,
    start_http_server,
    start_redis,
    start_wagents_worker,
    wait_until,
    worker_pids,
)

#: Real Redis, real worker processes, kills and redeliveries: tens of seconds.
pytestmark = pytest.mark.slow

#: Docket takes an abandoned task back after this long (ISO 8601: the setting is a timedelta).
REDELIVERY = "PT2S"
DOCKET_NAME = "fastmcp"
TOOL = "process_batch"


@dataclass
class Cluster:
    """The processes of one test and what the test needs to reach them."""

    root: Path
    registry: Processes
    redis_url: str
    env: dict[str, str]
    server: Started | None = None
    mcp_url: str = ""
    pool: Started | None = None

    def start_server(self) -> None:
        env = {**self.env, "FASTMCP_DOCKET_WORKER_NAME": "web"}
        self.server, self.mcp_url = start_http_server(self.registry, self.server_dir, env)

    def start_pool(self, count: int = 2) -> Started:
        env = {**self.env, "FASTMCP_DOCKET_WORKER_NAME": "pool"}
        self.pool = start_wagents_worker(self.registry, self.root, "jobs", count, env)
        return self.pool

    @property
    def server_dir(self) -> Path:
        return self.root / "mcp" / "jobs"

    def pool_pids(self) -> list[int]:
        assert self.pool is not None
        return worker_pids(self.pool.output())


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    """Redis plus a scratch workspace with a tasks server; every process stops at teardown."""
    root = tmp_path / "repo"
    workspace = scratch_workspace(root)
    new_server(workspace, "jobs", "Jobs.", variant="tasks")
    logs = tmp_path / "logs"
    logs.mkdir()
    with processes(logs) as registry:
        redis_url = start_redis(registry, tmp_path)
        env = {
            "FASTMCP_DOCKET_URL": redis_url,
            "FASTMCP_DOCKET_NAME": DOCKET_NAME,
            "FASTMCP_DOCKET_REDELIVERY_TIMEOUT": REDELIVERY,
            "FASTMCP_SHOW_CLI_BANNER": "false",
        }
        yield Cluster(root, registry, redis_url, env)


def digests(items: list[str]) -> list[str]:
    return [hashlib.sha256(item.encode()).hexdigest() for item in items]


async def wait_for_workers(docket: Docket, names: set[str], timeout: float = 90) -> None:
    """Until Docket has seen a heartbeat from every worker in `names`."""
    deadline = time.monotonic() + timeout
    while True:
        seen = {worker.name for worker in await docket.workers()}
        if names <= seen:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"workers {sorted(names - seen)} never showed up (saw {seen})")
        await asyncio.sleep(0.2)


async def execution_of(docket: Docket, task: ToolTask):
    """Docket's record of an MCP task (state, and the worker that claimed it last)."""
    async with docket.redis() as redis:
        key = await redis.get(docket.key(f"{task_redis_prefix(None)}:{task.task_id}"))
    assert key is not None, f"no Docket key for task {task.task_id}"
    execution = await docket.get_execution(key.decode())
    assert execution is not None
    return execution


async def test_twenty_concurrent_callers_each_get_their_own_result(cluster: Cluster) -> None:
    cluster.env["FASTMCP_DOCKET_CONCURRENCY"] = "2"  # 3 workers x 2 slots for 20 tasks
    cluster.start_server()
    cluster.start_pool(2)
    async with Docket(name=DOCKET_NAME, url=cluster.redis_url) as docket:
        await wait_for_workers(docket, {"web", "pool-1", "pool-2"})

        async def caller(number: int) -> tuple[list[str], ToolTask, dict]:
            items = [f"caller {number} item {index}" for index in range(3)]
            async with Client(cluster.mcp_url, timeout=120) as client:
                task = await client.call_tool(
                    TOOL, {"items": items, "seconds_per_item": 0.2}, task=True
                )
                assert not task.returned_immediately
                result = await task.result()
            return items, task, result.data

        outcomes = await asyncio.gather(*(caller(number) for number in range(20)))

        for items, _, data in outcomes:
            assert data == {"count": 3, "digests": digests(items)}
        assert len({task.task_id for _, task, _ in outcomes}) == 20
        ran_on = [(await execution_of(docket, task)).worker for _, task, _ in outcomes]
    assert set(ran_on) <= {"web", "pool-1", "pool-2"}
    assert {"pool-1", "pool-2"} <= set(ran_on), f"the pool did not share the work: {ran_on}"


async def test_a_task_on_a_killed_worker_is_redelivered(cluster: Cluster) -> None:
    cluster.env["FASTMCP_DOCKET_CONCURRENCY"] = "1"  # one task per worker: each holds one
    cluster.start_server()
    pool = cluster.start_pool(2)
    async with (
        Docket(name=DOCKET_NAME, url=cluster.redis_url) as docket,
        Client(cluster.mcp_url, timeout=120) as client,
    ):
        await wait_for_workers(docket, {"web", "pool-1", "pool-2"})
        batches = [[f"batch {number} item {index}" for index in range(8)] for number in range(4)]
        tasks = [
            await client.call_tool(TOOL, {"items": items, "seconds_per_item": 0.25}, task=True)
            for items in batches
        ]

        # Three run at once (one per worker), the fourth waits in the queue.
        deadline = time.monotonic() + 60
        while True:
            executions = [await execution_of(docket, task) for task in tasks]
            running = {
                e.worker: task
                for e, task in zip(executions, tasks, strict=True)
                if e.state.value == "running"
            }
            if {"web", "pool-1", "pool-2"} <= set(running):
                break
            assert time.monotonic() < deadline, [(e.state, e.worker) for e in executions]
            await asyncio.sleep(0.05)
        victim_task = running["pool-1"]
        victim_pid = cluster.pool_pids()[0]
        signal_sent = time.monotonic()
        os.kill(victim_pid, signal.SIGKILL)

        results = await asyncio.gather(*(task.result() for task in tasks))
        for items, result in zip(batches, results, strict=True):
            assert result.data == {"count": 8, "digests": digests(items)}
        again = await execution_of(docket, victim_task)
        assert again.state.value == "completed"
        assert again.worker != "pool-1"  # someone else ran it after the kill
        assert time.monotonic() - signal_sent < 60

    # `wagents worker` noticed, stopped the other worker and failed.
    wait_until(lambda: pool.process.poll() is not None, "wagents worker to exit", timeout=30)
    assert pool.process.returncode == 1, pool.output()
    assert "jobs.1 (pid" in pool.output() and "was killed by SIGKILL" in pool.output()


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["sigint", "sigterm"])
async def test_wagents_worker_stops_its_workers_cleanly(cluster: Cluster, signum) -> None:
    pool = cluster.start_pool(2)
    async with Docket(name=DOCKET_NAME, url=cluster.redis_url) as docket:
        await wait_for_workers(docket, {"pool-1", "pool-2"})
        pids = cluster.pool_pids()
        assert len(pids) == 2
        pool.process.send_signal(signum)
        wait_until(lambda: pool.process.poll() is not None, "wagents worker to stop", timeout=30)
        assert pool.process.returncode == 0, pool.output()
        for pid in pids:
            with pytest.raises(ProcessLookupError):  # reaped by wagents worker, not orphaned
                os.kill(pid, 0)
        # A clean stop takes the workers' heartbeats out of Redis; a kill would leave them.
        assert {worker.name for worker in await docket.workers()} == set()
    output = pool.output()
    assert "jobs.1 | " in output and "jobs.2 | " in output  # forwarded, prefixed output
    assert "stopping 2 worker(s)" in output

"""`wagents worker` without Redis: what it refuses, how it names workers, how it stops them."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from wagents.deploy.workers import (
    WorkerPool,
    check_docket_url,
    describe_exit,
    worker_command,
    worker_environment,
)
from wagents.model import Server, UsageError
from wagents.scaffold.new import new_server
from wagents.testing import invoke_wagents, scratch_workspace, wagents_command


@pytest.fixture(scope="module")
def workspace_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A scratch workspace with a tasks server (`jobs`) and a plain one (`plain`)."""
    root = tmp_path_factory.mktemp("workers") / "repo"
    workspace = scratch_workspace(root, ["plain"])
    new_server(workspace, "jobs", "Jobs.", variant="tasks")
    return root


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "FASTMCP_DOCKET_URL is not set"),
        ("  ", "FASTMCP_DOCKET_URL is not set"),
        ("memory://", "is memory://, which lives inside one process"),
        ("MEMORY://", "is memory://, which lives inside one process"),
        ("sqlite:///tasks.db", "has the scheme 'sqlite', which Docket cannot share"),
        ("http://127.0.0.1:6379", "has the scheme 'http'"),
        ("${FASTMCP_DOCKET_URL}", "is not a URL"),
        ("127.0.0.1:6379", "is not a URL"),
    ],
)
def test_urls_workers_cannot_share_are_refused(url: str, message: str) -> None:
    with pytest.raises(UsageError, match=message.replace("(", r"\(").replace(")", r"\)")):
        check_docket_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "redis://127.0.0.1:6379/0",
        "rediss://user:secret@cache.example:6380/1",
        "unix:///run/redis.sock",
        "redis+sentinel://s1:26379,s2:26379/mymaster/0",
        "redis+cluster://node1:7000",
    ],
)
def test_shared_backends_are_accepted(url: str) -> None:
    assert check_docket_url(url) == url.partition("://")[0]


def test_the_url_is_never_echoed() -> None:
    with pytest.raises(UsageError) as caught:
        check_docket_url("sqlite://admin:hunter2@db/0")
    assert "hunter2" not in str(caught.value)


def test_worker_names_get_an_index_only_when_named() -> None:
    assert (
        worker_environment({"FASTMCP_DOCKET_WORKER_NAME": "pool"}, 2)["FASTMCP_DOCKET_WORKER_NAME"]
        == "pool-2"
    )
    assert "FASTMCP_DOCKET_WORKER_NAME" not in worker_environment({}, 1)  # Docket: host#pid
    assert worker_environment({}, 1)["PYTHONUNBUFFERED"] == "1"


def test_the_worker_command_uses_this_interpreter(workspace_root: Path) -> None:
    server = Server("jobs", workspace_root / "mcp" / "jobs")
    assert worker_command(server) == [
        sys.executable,
        "-m",
        "fastmcp.cli",
        "tasks",
        "worker",
        "fastmcp.json",
    ]


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["jobs"], {"FASTMCP_DOCKET_URL": "memory://"}, "is memory://"),
        (["jobs"], {"FASTMCP_DOCKET_URL": "sqlite:///x.db"}, "has the scheme 'sqlite'"),
        (["jobs"], {"FASTMCP_DOCKET_URL": ""}, "is not set"),
        (["nope"], {"FASTMCP_DOCKET_URL": "redis://127.0.0.1:9/0"}, "no server named nope"),
        (
            ["plain"],
            {"FASTMCP_DOCKET_URL": "redis://127.0.0.1:9/0"},
            "plain has no background tasks",
        ),
        (["jobs", "--count", "0"], {"FASTMCP_DOCKET_URL": "redis://127.0.0.1:9/0"}, "--count"),
    ],
    ids=["memory", "sqlite", "empty", "unknown-server", "no-tasks", "count-zero"],
)
def test_the_command_refuses_with_one_line(
    workspace_root: Path, args: list[str], env: dict[str, str], message: str
) -> None:
    completed = invoke_wagents("worker", *args, cwd=workspace_root, env=env)
    assert completed.returncode == 2, completed.stderr
    assert completed.stdout == ""
    lines = completed.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], lines


def test_a_missing_url_is_refused(workspace_root: Path) -> None:
    env = {key: value for key, value in os.environ.items() if key != "FASTMCP_DOCKET_URL"}
    completed = subprocess.run(
        [*wagents_command(), "worker", "jobs"],
        cwd=workspace_root,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 2
    assert completed.stderr.startswith("error: FASTMCP_DOCKET_URL is not set")


def test_output_is_forwarded_with_a_prefix(tmp_path: Path) -> None:
    out = io.StringIO()
    script = "import os; print('hello from', os.environ['N'])"
    pool = WorkerPool(
        [sys.executable, "-c", script], 2, tmp_path, {**os.environ, "N": "x"}, "demo", out
    )
    pool.start()
    for worker in pool.workers:
        worker.process.wait(timeout=60)
    pool.stop(grace=1)
    assert sorted(out.getvalue().splitlines()) == ["demo.1 | hello from x", "demo.2 | hello from x"]


def test_a_worker_ignoring_sigint_is_killed_after_the_grace_period(tmp_path: Path) -> None:
    stubborn = (
        "import signal, sys, time\n"
        "signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
        "print('ready', flush=True)\n"
        "time.sleep(120)\n"
    )
    polite = "import time\nprint('ready', flush=True)\ntime.sleep(120)\n"
    out, polite_out = io.StringIO(), io.StringIO()
    pool = WorkerPool([sys.executable, "-c", stubborn], 1, tmp_path, dict(os.environ), "s", out)
    pool.start()
    polite_pool = WorkerPool(
        [sys.executable, "-c", polite], 1, tmp_path, dict(os.environ), "p", polite_out
    )
    polite_pool.start()
    deadline = time.monotonic() + 60
    # Both run their own code: the stubborn one's SIGINT handler is in place, and the polite one
    # has Python's (a SIGINT sent before a child has exec'd Python is lost with the fork).
    while "ready" not in out.getvalue() or "ready" not in polite_out.getvalue():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    started = time.monotonic()
    killed = pool.stop(grace=0.5)
    assert [worker.index for worker in killed] == [1]
    assert describe_exit(pool.workers[0].process.returncode) == "was killed by SIGKILL"
    assert time.monotonic() - started < 30
    assert polite_pool.stop(grace=30) == []  # SIGINT was enough
    assert describe_exit(polite_pool.workers[0].process.returncode) != "was killed by SIGKILL"


def test_workers_get_sigint_even_where_it_is_ignored(tmp_path: Path) -> None:
    """`cmd &` in a script starts with SIGINT ignored, and exec keeps it ignored: the workers
    must still receive the SIGINT that stops them."""
    polite = "import time\nprint('ready', flush=True)\ntime.sleep(120)\n"
    out = io.StringIO()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        pool = WorkerPool([sys.executable, "-c", polite], 1, tmp_path, dict(os.environ), "p", out)
        pool.start()
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN  # this process: as it was
    finally:
        signal.signal(signal.SIGINT, previous)
    deadline = time.monotonic() + 60
    while "ready" not in out.getvalue():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert pool.stop(grace=30) == []
    assert describe_exit(pool.workers[0].process.returncode) != "was killed by SIGKILL"

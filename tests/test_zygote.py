"""The zygote runner gives the same runtime facts as one fresh process per server.

Every server below is probed by both runners (`Prober(runner="zygote")` and
`Prober(runner="process")`, the latter being runner.run_probe); the facts must be equal except for
the time taken. The servers are hostile on purpose: they mutate global state and fastmcp.settings,
hang, exit, crash the interpreter, print, spawn processes, read their argv and environment, and
change what the preloaded imports would have seen (those must be re-run in a fresh process).
"""

from __future__ import annotations

import ctypes
import dataclasses
import json
import mmap
import os
import signal
import uuid
from pathlib import Path

import pytest

from wagents.probe.protocol import RuntimeFacts, ServerInfo
from wagents.probe.runner import ProbeLimits, ProbeRequest
from wagents.probe.scheduler import ProbeInfo, Prober, ZygoteClient, zygote_unsupported
from wagents.probe.zygote import HUGE_PAGES_FROM
from wagents.testing import scratch_workspace
from wagents.workspace.root import Workspace

pytestmark = pytest.mark.skipif(
    zygote_unsupported() is not None, reason=f"no zygote here: {zygote_unsupported()}"
)

#: Marks the processes the servers below spawn, to look for leftovers.
TOKEN = uuid.uuid4().hex

PLAIN = (
    "from fastmcp import FastMCP\n\n"
    'mcp = FastMCP("plain")\n\n\n'
    "@mcp.tool\n"
    "def echo(text: str) -> str:\n"
    "    return text\n"
)

#: name -> (server.py, status both runners must report)
HOSTILE = {
    "mutates-settings": (
        "import fastmcp\n"
        "fastmcp.settings.stateless_http = True\n"
        'fastmcp.settings.docket.url = "redis://elsewhere:1/0"\n' + PLAIN,
        "ok",
    ),
    "env-before-import": (
        'import os\nos.environ["FASTMCP_STATELESS_HTTP"] = "true"\n' + PLAIN,
        "ok",
    ),
    "sys-exit": ("import sys\nsys.exit(3)\n", "exit"),
    "sys-exit-zero": ("raise SystemExit(0)\n", "exit"),
    "os-exit": ("import os\nos._exit(4)\n", "exit"),
    "segfault": ("import ctypes\nctypes.string_at(0)\n", "crashed"),
    "prints": (
        'print("hello " * 100)\nimport sys\nsys.stderr.write("on stderr\\n")\n' + PLAIN,
        "ok",
    ),
    "spawns-a-process": (
        "import subprocess, sys\n"
        f'subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)", "{TOKEN}"])\n'
        + PLAIN,
        "ok",
    ),
    "starts-a-thread": (
        "import threading, time\n"
        "threading.Thread(target=time.sleep, args=(120,)).start()\n" + PLAIN,
        "ok",
    ),
    "raises": ('raise RuntimeError("boom")\n', "exception"),
    "syntax-error": ("def broken(:\n", "exception"),
    "not-fastmcp": ("import fastmcp\nmcp = fastmcp.settings\n", "no-server"),
    "closes-stdout": ("import os\nos.close(1)\n" + PLAIN, "exception"),
    "looks-around": (
        "import os, sys\n"
        "from fastmcp import FastMCP\n"
        "mcp = FastMCP(repr([sys.argv[1:4], os.getcwd(), sorted(os.environ), sys.path[0],\n"
        "    os.getpgrp() == os.getpid(), os.getsid(0) == os.getpid(), sys.stdin.read()]))\n",
        "ok",
    ),
    "harmless-sys-path": ('import sys\nsys.path.insert(0, "/nonexistent")\n' + PLAIN, "ok"),
    "drops-a-module": (
        'import sys\nfrom fastmcp import FastMCP\nsys.modules.pop("rich", None)\n'
        'mcp = FastMCP("m")\n',
        "ok",
    ),
    "breaks-json": ("import json\njson.dumps = None\n" + PLAIN, "exit"),
    "dotenv": (PLAIN, "ok"),
    "shadows-rich": (PLAIN, "exception"),
    "imports-a-helper": ("from helper import NAME\n" + PLAIN.replace('"plain"', "NAME"), "ok"),
}
#: Servers the zygote must leave to a fresh process, and a word of the reason it gives.
REFUSED = {
    "env-before-import": "os.environ",
    "drops-a-module": "rich",
    "breaks-json": "failed in the forked child",
    "dotenv": ".env",
    "shadows-rich": "rich.py",
}
HANGING = {
    "sleeps": "import time\nwhile True:\n    time.sleep(0.05)\n",
    "spins": "while True:\n    pass\n",
}


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    servers = {name: code for name, (code, _) in HOSTILE.items()} | HANGING
    servers |= {"a-poisons": "", "b-checks": ""}
    workspace = scratch_workspace(tmp_path_factory.mktemp("zygote") / "ws", list(servers))
    for name, code in servers.items():
        (workspace.servers_dir / name / "server.py").write_text(code)
    (workspace.servers_dir / "dotenv" / ".env").write_text("FASTMCP_STATELESS_HTTP=true\n")
    # A module shadowing a preloaded one breaks a fresh import of fastmcp; the zygote must agree.
    (workspace.servers_dir / "shadows-rich" / "rich.py").write_text("raise ImportError('mine')\n")
    (workspace.servers_dir / "imports-a-helper" / "helper.py").write_text('NAME = "helped"\n')
    poisons = workspace.servers_dir / "a-poisons" / "server.py"
    poisons.write_text(
        "import json, fastmcp\n"
        'fastmcp._poisoned = "yes"\n'
        'json._poisoned = "yes"\n'
        "fastmcp.settings.stateless_http = True\n" + PLAIN
    )
    checks = workspace.servers_dir / "b-checks" / "server.py"
    checks.write_text(
        "import json, fastmcp\n"
        "from fastmcp import FastMCP\n"
        "mcp = FastMCP(repr([getattr(fastmcp, '_poisoned', None), getattr(json, '_poisoned', None),"
        " fastmcp.settings.stateless_http]))\n"
    )
    return workspace


def kernel_collapses() -> bool:
    """Whether this kernel moves anonymous memory to huge pages on `madvise(MADV_COLLAPSE)`."""
    huge = 2 << 20
    region = mmap.mmap(-1, 2 * huge, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    region.write(b"x" * (2 * huge))
    buffer = ctypes.c_char.from_buffer(region)
    start = -(-ctypes.addressof(buffer) // huge) * huge  # the first 2 MB boundary inside it
    madvise = ctypes.CDLL(None, use_errno=True).madvise
    madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    try:
        return madvise(start, huge, 25) == 0  # MADV_COLLAPSE
    finally:
        del buffer
        region.close()


def probe_all(
    workspace: Workspace,
    names: list[str],
    runner: str,
    timeout: float,
    jobs: int = 2,
    expected: int = 0,
) -> tuple[dict[str, RuntimeFacts], ProbeInfo]:
    """Probe the servers `names`; with `expected`, the runner prepares for that many."""
    requests = [ProbeRequest(workspace.servers_dir / name) for name in names]
    with Prober(ProbeLimits(timeout=timeout), jobs=jobs, runner=runner) as prober:
        prober.start(expected)
        prober.submit(requests)
        facts = {request.server_dir.name: runtime for request, runtime in prober.results()}
    return facts, prober.info


def server(facts: RuntimeFacts) -> ServerInfo:
    assert facts.server is not None, facts
    return facts.server


def comparable(facts: RuntimeFacts) -> RuntimeFacts:
    session = facts.session and dataclasses.replace(facts.session, seconds=0.0)
    return dataclasses.replace(facts, seconds=0.0, session=session)


def assert_same(zygote: dict[str, RuntimeFacts], fresh: dict[str, RuntimeFacts]) -> None:
    assert sorted(zygote) == sorted(fresh)
    for name, facts in zygote.items():
        assert comparable(facts) == comparable(fresh[name]), name


@pytest.mark.slow  # every hostile server, in both runners
def test_hostile_servers_give_the_same_facts_in_both_runners(workspace: Workspace) -> None:
    names = list(HOSTILE)
    # Expecting as many servers as a workspace where the zygote moves its heap to huge pages
    # (where this kernel can): its children must still see what fresh processes see.
    zygote, info = probe_all(workspace, names, "zygote", timeout=120, expected=HUGE_PAGES_FROM)
    fresh, fresh_info = probe_all(workspace, names, "process", timeout=120)
    assert info.runner == "zygote" and info.reason is None
    assert fresh_info.runner == "process"
    assert ("MB of them in huge pages" in (info.detail or "")) == kernel_collapses(), info.detail
    assert_same(zygote, fresh)
    # Not vacuous: each server did what it was written to do.
    assert {name: facts.status for name, facts in zygote.items()} == {
        name: status for name, (_, status) in HOSTILE.items()
    }
    settings = server(zygote["mutates-settings"]).settings
    assert settings.stateless_http is True
    assert settings.docket_url == "redis://elsewhere:1/0"
    assert server(zygote["env-before-import"]).settings.stateless_http is True
    assert server(zygote["dotenv"]).settings.stateless_http is True
    assert zygote["sys-exit"].exit_code == 3 and zygote["os-exit"].exit_code == 4
    assert zygote["segfault"].message == "the interpreter died (SIGSEGV)"
    assert zygote["prints"].stdout_bytes == 601
    assert zygote["prints"].stderr_tail.endswith("on stderr\n")
    assert server(zygote["imports-a-helper"]).name == "helped"
    looked = server(zygote["looks-around"]).name
    assert "'--source', 'server.py'" in looked and "True, True, '\\n'" in looked
    assert "GITHUB_TOKEN" not in looked and "'PATH'" in looked
    # Only the servers a preloaded parent could show differently ran in a fresh process.
    fallbacks = {path.name: reason for path, reason in info.fallbacks.items()}
    assert sorted(fallbacks) == sorted(REFUSED)
    for name, word in REFUSED.items():
        assert word in fallbacks[name], fallbacks[name]


def test_hangs_time_out_alike(workspace: Workspace) -> None:
    zygote, info = probe_all(workspace, list(HANGING), "zygote", timeout=2)
    fresh, _ = probe_all(workspace, list(HANGING), "process", timeout=2)
    assert info.runner == "zygote" and not info.fallbacks
    assert_same(zygote, fresh)
    assert {facts.status for facts in zygote.values()} == {"timeout"}


def test_a_child_changes_nothing_the_next_child_sees(workspace: Workspace) -> None:
    """One probe at a time, a-poisons first: b-checks must see pristine modules and settings."""
    names = ["a-poisons", "b-checks"]
    zygote, info = probe_all(workspace, names, "zygote", timeout=120, jobs=1)
    fresh, _ = probe_all(workspace, names, "process", timeout=120, jobs=1)
    assert not info.fallbacks
    assert_same(zygote, fresh)
    assert server(zygote["a-poisons"]).settings.stateless_http is True
    assert server(zygote["b-checks"]).name == "[None, None, False]"


def test_probes_fall_back_to_fresh_processes_when_the_zygote_dies(workspace: Workspace) -> None:
    prober = Prober(ProbeLimits(timeout=120), jobs=2, runner="zygote")
    with prober:
        prober.submit([ProbeRequest(workspace.servers_dir / "imports-a-helper")])
        zygote = prober._zygote
        assert zygote is not None
        os.killpg(zygote.process.pid, signal.SIGKILL)  # before it finished preloading
        results = list(prober.results())
    assert [server(facts).name for _, facts in results] == ["helped"]
    assert prober.info.reason is not None
    assert "the zygote failed: it exited with status -9" in prober.info.reason


def test_the_zygote_leaves_no_process_behind(workspace: Workspace) -> None:
    """The spawned sleeper is killed with its process group, and the zygote stops."""
    prober = Prober(ProbeLimits(timeout=120), jobs=2, runner="zygote")
    with prober:
        prober.submit([ProbeRequest(workspace.servers_dir / "spawns-a-process")])
        assert [facts.status for _, facts in prober.results()] == ["ok"]
    assert prober._zygote is not None and prober._zygote.process.poll() is not None
    leftovers = []
    for entry in Path("/proc").iterdir():
        try:
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if TOKEN.encode() in command:
            leftovers.append(entry.name)
    assert leftovers == []


def test_the_zygote_answers_or_refuses_questions_about_fastmcp_json() -> None:
    """What the zygote says of fastmcp.json texts is what FastMCP's models say in this process;
    a text it cannot read is refused (the validator then asks the models itself)."""
    from wagents.probe import fastmcp_models

    valid = json.dumps({"source": {"path": "server.py"}})
    refused = json.dumps({"deployment": {"transport": "carrier-pigeon"}})
    client = ZygoteClient()
    try:
        answers = client.fastmcp_config([valid, refused]).result(timeout=120)
        unreadable = client.fastmcp_config(["{not json"])
        with pytest.raises(Exception, match="JSONDecodeError"):
            unreadable.result(timeout=120)
    finally:
        client.close()
    assert answers.keys == fastmcp_models.config_keys()
    assert answers.errors[valid] == ()
    assert answers.errors[refused] == fastmcp_models.config_errors(json.loads(refused))
    assert answers.errors[refused]  # not vacuous: the model refuses the transport


def test_what_the_zygote_could_not_answer_the_validator_asks_itself(tmp_path: Path) -> None:
    """A zygote that failed (or refused) leaves FastMCP's models to the validator: the same
    answers as a run without a zygote."""
    from concurrent.futures import Future

    from wagents.check.facts import EnvironmentFacts

    workspace = scratch_workspace(tmp_path / "ws", ["alpha"])
    failed: Future = Future()
    failed.set_exception(RuntimeError("the zygote failed"))
    config = {"source": {"path": "server.py"}, "deployment": {"transport": "carrier-pigeon"}}
    without = EnvironmentFacts(workspace)
    after_failure = EnvironmentFacts(workspace, fastmcp_answers=failed)
    assert after_failure.fastmcp_config_errors(config) == without.fastmcp_config_errors(config)
    assert after_failure.fastmcp_config_errors(config)  # not vacuous
    assert after_failure.fastmcp_config_keys == without.fastmcp_config_keys

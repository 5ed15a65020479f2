"""`wagents validate --live`: real servers started over stdio (their client configuration's command)
and under uvicorn, in a scratch workspace whose `.venv` is the running environment.

The rules' judgement of facts (list differences, the Host/Origin guard) is tested on facts built
here; everything about processes runs them for real.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import socket
import sys
import time
import uuid
from pathlib import Path

import pytest

from wagents.check.engine import Options, validate
from wagents.check.facts import ServerFacts, facts_for
from wagents.check.live import live_request
from wagents.check.rules.live import listing_differences, live_http, live_stdio
from wagents.probe.live import (
    NO_ENVIRONMENT,
    HttpFacts,
    Listing,
    LiveFacts,
    LiveRequest,
    Session,
    StdioFacts,
    check_live,
    run_stdio,
)
from wagents.probe.protocol import (
    HttpApp,
    Prompt,
    ResourceTemplate,
    RuntimeFacts,
    ServerInfo,
    Settings,
    Status,
    Tool,
)
from wagents.probe.runner import request_for, run_probe
from wagents.testing import link_environment, run_wagents, scratch_workspace
from wagents.workspace.root import Workspace

from .helpers import require_tool

#: A lifespan that starts a daemon (setsid: it leaves the process group), writes into HOME and
#: TMPDIR, and notes where those were, in files beside the server.
LEAVES_THINGS_BEHIND = '''"""Starts a daemon and writes into HOME and TMPDIR at startup."""

import subprocess
import sys
import tempfile
from contextlib import asynccontextmanager
from pathlib import Path

from fastmcp import FastMCP

HERE = Path(__file__).parent


@asynccontextmanager
async def lifespan(server):
    token = (HERE / "token.txt").read_text().strip()
    subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(600)", token],
        start_new_session=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    (Path.home() / "written-by-server").write_text("x")
    Path(tempfile.mkdtemp()).joinpath("scratch").write_text("x")
    with (HERE / "places.txt").open("a") as places:
        places.write(f"{Path.home()}\\n{tempfile.gettempdir()}\\n")
    yield {}


mcp = FastMCP("Leaves Things Behind", lifespan=lifespan)


@mcp.tool
def echo(text: str) -> str:
    """Return the text."""
    return text


app = mcp.http_app(host_origin_protection="auto")
'''

HANGS = '''"""Its lifespan never finishes starting."""

import asyncio
from contextlib import asynccontextmanager

from fastmcp import FastMCP


@asynccontextmanager
async def lifespan(server):
    await asyncio.sleep(3600)
    yield {}


mcp = FastMCP("Hangs", lifespan=lifespan)
'''

LONG_PRINT = '''"""Prints a long line in its lifespan."""

from contextlib import asynccontextmanager

from fastmcp import FastMCP


@asynccontextmanager
async def lifespan(server):
    print("x" * 70 + "y" * 130)
    print("second")
    yield {}


mcp = FastMCP("Long Print", lifespan=lifespan)
'''

WRITES_DATA = '''"""Creates a data folder beside itself when it starts."""

from contextlib import asynccontextmanager
from pathlib import Path

from fastmcp import FastMCP


@asynccontextmanager
async def lifespan(server):
    (Path(__file__).parent / "data").mkdir(exist_ok=True)
    yield {}


mcp = FastMCP("Writes Data", lifespan=lifespan)
'''

BROKEN = '''"""Does not import."""

raise RuntimeError("no configuration")
'''


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    require_tool("uv")
    root = tmp_path_factory.mktemp("live") / "repo"
    scratch_workspace(root, ["plain", "behind", "hangs", "chatty", "broken", "writes"])
    for name, text in (
        ("behind", LEAVES_THINGS_BEHIND),
        ("writes", WRITES_DATA),
        ("hangs", HANGS),
        ("chatty", LONG_PRINT),
        ("broken", BROKEN),
    ):
        (root / "mcp" / name / "server.py").write_text(text)
    link_environment(root)
    return Workspace.find(root)


def _request(workspace: Workspace, name: str, timeout: float = 60.0) -> LiveRequest:
    """The request the engine makes for `name`, from a real probe of it."""
    (server,) = workspace.select([name])
    facts = facts_for(server, workspace)
    facts = facts.with_runtime(run_probe(request_for(facts.files)))
    uv = require_tool("uv")
    request = live_request(facts, uv, timeout)
    assert request is not None, facts.runtime
    return request


def _alive_with(token: str) -> list[int]:
    """Living processes whose command line holds `token`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            if token.encode() in (entry / "cmdline").read_bytes():
                state = (entry / "stat").read_text().rpartition(")")[2].split()[0]
                if state not in ("Z", "X"):
                    found.append(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc to find processes")
def test_launches_leave_no_process_port_or_home_behind(workspace: Workspace) -> None:
    server_dir = workspace.root / "mcp" / "behind"
    token = f"wagents-live-test-{uuid.uuid4().hex}"
    (server_dir / "token.txt").write_text(token)
    real_home = Path.home()
    before = set(real_home.iterdir()) if real_home.is_dir() else set()

    live = check_live(_request(workspace, "behind"))

    assert live.stdio is not None and live.http is not None
    assert live.stdio.session.failure is None, live.stdio
    assert live.http.session.failure is None, live.http
    assert live.stdio.session.listing == Listing(tools=("echo",))
    assert live.http.session.listing == Listing(tools=("echo",))
    deadline = time.monotonic() + 10
    while _alive_with(token) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _alive_with(token) == []  # the daemons of both launches were killed
    places = (server_dir / "places.txt").read_text().split()
    # stdio once, then one uvicorn worker after the other: every launch had its own HOME
    assert len(places) == 6
    homes = places[0::2]
    assert len(set(homes)) == 2  # the two uvicorn workers of one launch share it
    for place in places:
        assert not Path(place).exists(), place  # removed with what the server wrote there
        assert Path(place) != real_home
    assert not (real_home / "written-by-server").exists()
    assert (set(real_home.iterdir()) if real_home.is_dir() else set()) == before
    port = int(live.http.url.rsplit(":", 1)[1].split("/")[0])
    with socket.socket() as again:  # uvicorn binds with SO_REUSEADDR too
        again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        again.bind(("127.0.0.1", port))


def test_uvicorn_saw_the_foreign_host_and_origin_refused(workspace: Workspace) -> None:
    live = check_live(_request(workspace, "plain"))
    assert live.http is not None and live.http.session.failure is None, live.http
    assert live.http.health_status == 200
    assert live.http.foreign_origin_status == 403
    assert live.http.foreign_host_status == 421
    assert live.http.stopped is True
    assert live.stdio is not None and live.stdio.stopped is True
    assert live.stdio.stray_count == 0


def test_a_hanging_lifespan_is_bounded_by_the_timeout(workspace: Workspace) -> None:
    # Launched directly: the engine would not (the probe's own session hangs there too: startup).
    request = LiveRequest(
        workspace.root / "mcp" / "hangs", workspace.root, uv=require_tool("uv"), timeout=3
    )
    started = time.monotonic()
    stdio = run_stdio(request)
    assert stdio.session.timed_out
    assert stdio.session.failure == "initialize: no answer within 3 s"
    assert stdio.stopped is None  # stdin was never closed for a session that failed
    assert time.monotonic() - started < 30  # the timeout, the cleanup, a slow machine


def test_stdout_lines_that_are_not_json_rpc_are_kept_cut_to_80_characters(
    workspace: Workspace,
) -> None:
    stdio = run_stdio(_request(workspace, "chatty"))
    assert stdio.session.failure is None  # FastMCP's client would have skipped them too
    assert stdio.stray_count == 2
    assert stdio.stray_lines == ("x" * 70 + "y" * 10, "second")


def test_the_stdio_command_is_the_one_wagents_config_writes(workspace: Workspace) -> None:
    stdio = run_stdio(_request(workspace, "plain"))
    printed = run_wagents("config", "plain", "--client", "json", cwd=workspace.root)
    assert printed.returncode == 0, printed.stderr
    entry = json.loads(printed.stdout)["mcpServers"]["plain"]
    assert stdio.command == (entry["command"], *entry["args"])


def _tree_digest(root: Path) -> dict[str, str]:
    digests = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if relative.parts[0] in (".wagents", ".venv") or not path.is_file():
            continue
        digests[str(relative)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digests


def test_validate_live_on_the_cli(workspace: Workspace, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    before = _tree_digest(workspace.root)
    done = run_wagents(
        "validate", "plain", "chatty", "broken", "--live", "--no-cache", "--format", "json",
        "--verbose", "--jobs", "2",
        cwd=workspace.root,
        env={"HOME": str(home)},
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    # plain and chatty were launched, two at a time; what that cost per server is said
    said = re.search(
        r"--live: 2 server\(s\) started, 2 at a time, in ([\d.]+) s \(([\d.]+) s", done.stderr
    )
    assert said is not None, done.stderr
    assert abs(float(said[1]) / 2 - float(said[2])) < 0.01
    findings = json.loads(done.stdout)["findings"]
    by_server: dict[str, set[str]] = {}
    for finding in findings:
        by_server.setdefault(finding["server"], set()).add(finding["rule"])
    assert "live-stdio" not in by_server.get("plain", set())
    assert "live-http" not in by_server.get("plain", set())
    assert "live-stdio" in by_server["chatty"]
    # a server that does not import gets its import finding, and is never launched
    assert "import-check" in by_server["broken"]
    assert not {"live-stdio", "live-http"} & by_server["broken"]
    assert _tree_digest(workspace.root) == before
    assert list(home.iterdir()) == []


def test_without_uv_live_is_a_usage_error(workspace: Workspace) -> None:
    done = run_wagents(
        "validate", "plain", "--live", "--no-cache",
        cwd=workspace.root,
        env={"PATH": str(Path(sys.executable).parent), "UV": ""},
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "error: --live starts servers with uv, as client configurations do; uv is not on PATH"
    ]


def test_a_workspace_without_an_environment_is_not_synced_behind_its_back(
    tmp_path: Path,
) -> None:
    root = tmp_path / "repo"
    workspace = scratch_workspace(root, ["plain"])
    request = LiveRequest(root / "mcp" / "plain", root, uv=require_tool("uv"), http=False)
    stdio = run_stdio(request)
    assert stdio.session.failure == NO_ENVIRONMENT
    assert not (root / ".venv").exists()
    report = validate(workspace, workspace.servers(), Options(live=True, select=("live-stdio",)))
    assert [finding.message for finding in report.findings] == [
        f"started as clients start it (uv run ... fastmcp run), {NO_ENVIRONMENT}"
    ]


def test_a_server_that_writes_into_the_workspace_is_not_launched(workspace: Workspace) -> None:
    servers = workspace.select(["writes"])
    options = Options(live=True, select=("live-stdio", "live-http", "import-side-effects"))
    report = validate(workspace, servers, options)
    by_rule = {finding.rule: finding for finding in report.findings}
    assert "import-side-effects" in by_rule  # the probe's sandbox saw it
    for slug in ("live-stdio", "live-http"):
        assert by_rule[slug].severity.value == "warning"
        assert by_rule[slug].message.startswith(
            "not started: when it starts it writes into the workspace (mcp/writes/data"
        )
    assert report.info.live == 0  # not started: the live rules said why
    assert not (workspace.root / "mcp" / "writes" / "data").exists()


# -- the rules, on facts built here ---------------------------------------------------------------


def _facts(
    tmp_path: Path,
    *,
    http_app: HttpApp | None = None,
    settings: Settings | None = None,
    tools: tuple[str, ...] = ("echo",),
    stdout_sample: str = "",
) -> ServerFacts:
    root = tmp_path / "repo"
    workspace = scratch_workspace(root, ["demo"])
    (server,) = workspace.select(["demo"])
    runtime = RuntimeFacts(
        status=Status.OK,
        server=ServerInfo(
            name="Demo",
            tools=tuple(Tool(wire={"name": name}) for name in tools),
            settings=settings or Settings(),
        ),
        http_app=http_app,
        stdout_sample=stdout_sample,
    )
    return facts_for(server, workspace, runtime)


def _http(**statuses: int | None) -> LiveFacts:
    http = HttpFacts(
        command=("uvicorn",),
        url="http://127.0.0.1:1/mcp",
        session=Session(listing=Listing(tools=("echo",))),
        stopped=True,
        **statuses,  # type: ignore[arg-type]
    )
    return LiveFacts(stdio=None, http=http)


def _stdio(**fields: object) -> LiveFacts:
    values: dict[str, object] = {
        "command": ("uv", "run"),
        "session": Session(listing=Listing(tools=("echo",))),
        "stopped": True,
        **fields,
    }
    return LiveFacts(stdio=StdioFacts(**values), http=None)  # type: ignore[arg-type]


GUARDED = HttpApp(origin_protection="auto")


def test_a_guard_that_lets_a_foreign_origin_through_is_an_error(tmp_path: Path) -> None:
    facts = _facts(tmp_path, http_app=GUARDED)
    (problem,) = live_http(facts, _http(foreign_origin_status=200, foreign_host_status=421))
    assert "Origin http://rebinding.invalid got 200, not 403" in problem.message


@pytest.mark.parametrize(
    ("http_app", "settings"),
    [
        (HttpApp(origin_protection=None), None),  # no guard: origin-protection's business
        (HttpApp(origin_protection="auto", allowed_hosts=("*",),
                 allowed_origins=("http://*.invalid",)), None),
        (None, Settings(http_host_origin_protection=False)),  # mcp.http_app() unprotected
        (None, Settings(http_host_origin_protection="auto", http_allowed_hosts=("*",),
                        http_allowed_origins=("*",))),
    ],
    ids=["unguarded", "app-allows", "settings-off", "settings-allow"],
)  # fmt: skip
def test_foreign_requests_the_servers_settings_allow_are_no_finding(
    tmp_path: Path, http_app: HttpApp | None, settings: Settings | None
) -> None:
    facts = _facts(tmp_path, http_app=http_app, settings=settings)
    live = _http(foreign_origin_status=200, foreign_host_status=200)
    assert list(live_http(facts, live)) == []


def test_listing_differences_name_both_directions() -> None:
    server = ServerInfo(
        name="x",
        tools=(Tool(wire={"name": "a"}), Tool(wire={"name": "b"})),
        templates=(ResourceTemplate(wire={"uriTemplate": "x://{y}"}),),
        prompts=(Prompt(wire={"name": "p"}),),
    )
    listing = Listing(tools=("b", "c"), templates=("x://{y}",), prompts=("p",))
    assert listing_differences(server, listing) == [
        "tools the probe's session did not list (c)",
        "no tools a, which the probe's session listed",
    ]
    same = Listing(tools=("a", "b"), templates=("x://{y}",), prompts=("p",))
    assert listing_differences(server, same) == []


def test_a_different_listing_and_a_slow_exit_are_warnings(tmp_path: Path) -> None:
    live = _stdio(session=Session(listing=Listing(tools=("echo", "late_tool"))), stopped=False)
    problems = list(live_stdio(_facts(tmp_path), live))
    assert [p.severity.value if p.severity else None for p in problems] == ["warning", "warning"]
    assert "tools the probe's session did not list (late_tool)" in problems[0].message
    assert "still ran 5 s after its stdin closed" in problems[1].message


def test_lines_the_import_printed_are_left_to_stdout_at_import(tmp_path: Path) -> None:
    facts = _facts(tmp_path, stdout_sample="banner\n")
    live = _stdio(stray_lines=("banner", "from the lifespan"), stray_count=2)
    (problem,) = live_stdio(facts, live)
    assert "wrote 1 line(s)" in problem.message
    assert "'from the lifespan'" in problem.message
    assert list(live_stdio(facts, _stdio(stray_lines=("banner",), stray_count=1))) == []


def test_no_live_facts_no_findings(tmp_path: Path) -> None:
    facts = _facts(tmp_path)
    assert list(live_stdio(facts, None)) == []
    assert list(live_http(facts, None)) == []

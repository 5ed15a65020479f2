"""`wagents validate --live`: real servers started over stdio (their client configuration's command)
and under uvicorn, in a scratch workspace whose `.venv` is the running environment.

The rules' judgement of facts (list differences, the Host/Origin guard) is tested on facts built
here; everything about processes runs them for real.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import socket
import sys
import time
import uuid
from pathlib import Path

import pytest

from wagents.check.engine import Options, validate
from wagents.check.facts import RuntimeFacts, ServerFacts
from wagents.check.live import live_request
from wagents.check.rules.live import listing_differences, live_http, live_stdio
from wagents.model import Server
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
from wagents.probe.runner import ProbeRequest, run_probe
from wagents.testing import link_environment, run_wagents, scratch_workspace
from wagents.workspace.root import Workspace

from .conftest import require_tool

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

BROKEN = '''"""Does not import."""

raise RuntimeError("no configuration")
'''


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    require_tool("uv")
    root = tmp_path_factory.mktemp("live") / "repo"
    scratch_workspace(root, ["plain", "behind", "hangs", "chatty", "broken"])
    for name, text in (
        ("behind", LEAVES_THINGS_BEHIND),
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
    facts = ServerFacts(server, workspace)
    facts.runtime = run_probe(ProbeRequest(facts.path, facts.source_name, facts.entrypoint))
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
    started = time.monotonic()
    stdio = run_stdio(_request(workspace, "hangs", timeout=3))
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
        cwd=workspace.root,
        env={"HOME": str(home)},
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
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


# -- the rules, on facts built here ---------------------------------------------------------------


def _facts(
    tmp_path: Path,
    *,
    http_app: dict | None = None,
    settings: dict | None = None,
    stdio: StdioFacts | None = None,
    http: HttpFacts | None = None,
    tools: tuple[str, ...] = ("echo",),
    stdout_sample: str = "",
) -> ServerFacts:
    root = tmp_path / "repo"
    workspace = scratch_workspace(root, ["demo"])
    (server,) = workspace.select(["demo"])
    facts = ServerFacts(Server("demo", server.path), workspace)
    facts.runtime = RuntimeFacts(
        status="ok",
        server={
            "tools": [{"name": name} for name in tools],
            "resources": [],
            "templates": [],
            "prompts": [],
            "settings": settings or {},
        },
        http_app=http_app,
        stdout_sample=stdout_sample,
    )
    facts.live = LiveFacts(stdio=stdio, http=http)
    return facts


def _http(**statuses: int | None) -> HttpFacts:
    return HttpFacts(
        command=("uvicorn",),
        url="http://127.0.0.1:1/mcp",
        session=Session(listing=Listing(tools=("echo",))),
        stopped=True,
        **statuses,  # type: ignore[arg-type]
    )


GUARDED = {"origin_protection": "auto", "allowed_hosts": None, "allowed_origins": None}


def test_a_guard_that_lets_a_foreign_origin_through_is_an_error(tmp_path: Path) -> None:
    facts = _facts(
        tmp_path,
        http_app=GUARDED,
        http=_http(foreign_origin_status=200, foreign_host_status=421),
    )
    (problem,) = live_http(facts)
    assert "Origin http://rebinding.invalid got 200, not 403" in problem.message


@pytest.mark.parametrize(
    ("http_app", "settings"),
    [
        ({"origin_protection": None}, {}),  # no guard: origin-protection's business
        ({**GUARDED, "allowed_hosts": ["*"], "allowed_origins": ["http://*.invalid"]}, {}),
        (None, {"http_host_origin_protection": False}),  # mcp.http_app() without protection
        (None, {"http_host_origin_protection": "auto", "http_allowed_hosts": ["*"],
                "http_allowed_origins": ["*"]}),
    ],
    ids=["unguarded", "app-allows", "settings-off", "settings-allow"],
)  # fmt: skip
def test_foreign_requests_the_servers_settings_allow_are_no_finding(
    tmp_path: Path, http_app: dict | None, settings: dict
) -> None:
    facts = _facts(
        tmp_path,
        http_app=http_app,
        settings=settings,
        http=_http(foreign_origin_status=200, foreign_host_status=200),
    )
    assert list(live_http(facts)) == []


def test_listing_differences_name_both_directions() -> None:
    server = {"tools": [{"name": "a"}, {"name": "b"}], "templates": [{"uri_template": "x://{y}"}]}
    listing = Listing(tools=("b", "c"), templates=("x://{y}",))
    assert listing_differences(server, listing) == [
        "tools the import check did not see (c)",
        "no tools a, which the import check saw",
    ]
    assert listing_differences(server, Listing(tools=("a", "b"), templates=("x://{y}",))) == []


def test_a_different_listing_and_a_slow_exit_are_warnings(tmp_path: Path) -> None:
    stdio = StdioFacts(
        command=("uv", "run"),
        session=Session(listing=Listing(tools=("echo", "late_tool"))),
        stopped=False,
    )
    problems = list(live_stdio(_facts(tmp_path, stdio=stdio)))
    assert [(p.severity.value if p.severity else None) for p in problems] == [
        "warning",
        "warning",
    ]
    assert "tools the import check did not see (late_tool)" in problems[0].message
    assert "still ran 5 s after its stdin closed" in problems[1].message


def test_lines_the_import_printed_are_left_to_stdout_at_import(tmp_path: Path) -> None:
    stdio = StdioFacts(
        command=("uv", "run"),
        session=Session(listing=Listing(tools=("echo",))),
        stray_lines=("banner", "from the lifespan"),
        stray_count=2,
        stopped=True,
    )
    (problem,) = live_stdio(_facts(tmp_path, stdio=stdio, stdout_sample="banner\n"))
    assert "wrote 1 line(s)" in problem.message
    assert "'from the lifespan'" in problem.message
    only_import = StdioFacts(
        command=("uv", "run"),
        session=Session(listing=Listing(tools=("echo",))),
        stray_lines=("banner",),
        stray_count=1,
        stopped=True,
    )
    assert (
        list(live_stdio(_facts(tmp_path / "2", stdio=only_import, stdout_sample="banner\n"))) == []
    )


def test_no_live_facts_no_findings(tmp_path: Path) -> None:
    facts = _facts(tmp_path)
    facts.live = None
    assert list(live_stdio(facts)) == []
    assert list(live_http(facts)) == []

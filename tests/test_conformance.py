"""The official MCP conformance suite (npm `@modelcontextprotocol/conformance`, pinned) against the
servers of this repository and a freshly scaffolded one, each served over HTTP the way
`wagents serve NAME --transport http --workers 2` serves it (uvicorn, two stateless workers, a
free loopback port).

`conformance server --url URL --scenario NAME -o DIR` exits 1 when a check of the scenario
failed and 0 otherwise (warnings do not fail it), and writes the checks to
`DIR/server-NAME-<time>/checks.json` (`[{"id", "status", "errorMessage", ...}]`, status SUCCESS,
FAILURE, WARNING or INFO). Only the scenarios that apply to any server run here: the others call
fixture tools of the suite's reference server. `.ci/run` installs the suite into `.ci/node/`
(0.1.13 is the newest release that runs on Node 20); under CI=true a missing suite fails.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from wagents.testing import scratch_workspace, wagents_command
from wagents.workspace.root import Workspace

from .conftest import REPO_ROOT, require_tool
from .taskcluster import Processes, free_port, processes, wait_healthy

#: The version .ci/run installs (keep the two in step).
CONFORMANCE_VERSION = "0.1.13"
SCENARIOS = (
    "server-initialize",
    "ping",
    "tools-list",
    "logging-set-level",
    "dns-rebinding-protection",
)
#: The servers shipped in this repository (none in a bare template), then a fresh scaffold.
TARGETS = [server.name for server in Workspace.find(REPO_ROOT).servers()] + ["(scaffolded)"]


def conformance_command() -> list[str]:
    """The suite's CLI: the copy .ci/run installed, else one on PATH (missing: fail under CI)."""
    local = REPO_ROOT / ".ci" / "node" / "node_modules" / ".bin" / "conformance"
    if local.is_file():
        return [require_tool("node"), str(local.resolve())]
    return [require_tool("conformance")]


@pytest.fixture(scope="module")
def conformance() -> list[str]:
    command = conformance_command()
    version = subprocess.run(
        [*command, "--version"], capture_output=True, text=True, timeout=60, check=False
    )
    assert version.stdout.strip() == CONFORMANCE_VERSION, version.stdout + version.stderr
    return command


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Processes]:
    with processes(tmp_path_factory.mktemp("conformance-logs")) as started:
        yield started


def serve(registry: Processes, root: Path, name: str) -> str:
    """`wagents serve NAME --transport http --workers 2` in `root`; the MCP URL once both workers
    started and /health answers."""
    port = free_port()
    command = [*wagents_command(), "serve", name, "--transport", "http", "--workers", "2"]
    started = registry.start(f"serve-{name}", [*command, "--port", str(port)], cwd=root)
    base = f"http://127.0.0.1:{port}"
    wait_healthy(
        base,
        started.alive,
        started.output,
        ready=lambda: started.output().count("Application startup complete") >= 2,
    )
    return f"{base}/mcp"


@pytest.fixture(scope="module", params=TARGETS)
def server_url(
    request: pytest.FixtureRequest,
    registry: Processes,
    tmp_path_factory: pytest.TempPathFactory,
    conformance: list[str],
) -> str:
    name = request.param
    if name != "(scaffolded)":
        return serve(registry, REPO_ROOT, name)
    root = tmp_path_factory.mktemp("conformance") / "repo"
    scratch_workspace(root, ["fresh"])
    return serve(registry, root, "fresh")


def run_scenario(conformance: list[str], url: str, scenario: str, output: Path) -> tuple[int, list]:
    """Run one scenario; its exit status and the checks it wrote."""
    done = subprocess.run(
        [*conformance, "server", "--url", url, "--scenario", scenario, "-o", str(output)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    written = sorted(output.glob(f"server-{scenario}-*/checks.json"))
    assert written, f"no checks.json for {scenario}:\n{done.stdout}\n{done.stderr}"
    return done.returncode, json.loads(written[-1].read_text())


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_conformance_scenario(
    conformance: list[str], server_url: str, scenario: str, tmp_path: Path
) -> None:
    status, checks = run_scenario(conformance, server_url, scenario, tmp_path)
    problems = [
        f"{check['id']}: {check['status']} {check.get('errorMessage', '')}"
        for check in checks
        if check["status"] not in ("SUCCESS", "INFO")
    ]
    assert problems == []
    assert any(check["status"] == "SUCCESS" for check in checks)
    assert status == 0


def test_conformance_suite_fails_a_server_without_host_origin_protection(
    conformance: list[str], registry: Processes, tmp_path: Path
) -> None:
    """The harness sees failures: `mcp.http_app()` (FastMCP's default, no guard) fails
    dns-rebinding-protection, as shared/CLIENT-LIMITS.md says."""
    root = tmp_path / "repo"
    scratch_workspace(root, ["open"])
    server_py = root / "mcp" / "open" / "server.py"
    text = server_py.read_text()
    guarded = 'app = mcp.http_app(host_origin_protection="auto")'
    assert guarded in text
    server_py.write_text(text.replace(guarded, "app = mcp.http_app()"))
    url = serve(registry, root, "open")
    status, checks = run_scenario(conformance, url, "dns-rebinding-protection", tmp_path / "out")
    assert status == 1
    failed = [check for check in checks if check["status"] == "FAILURE"]
    assert [check["id"] for check in failed] == ["localhost-host-rebinding-rejected"]


def test_ci_installs_the_pinned_conformance_suite() -> None:
    script = (REPO_ROOT / ".ci" / "run").read_text()
    assert f"@modelcontextprotocol/conformance@{CONFORMANCE_VERSION}" in script

"""The developer commands by server name, as thin wrappers over FastMCP's own CLI and probe.

`wagents inspect`, `call` and `dev` build a `python -m fastmcp.cli ...` command (with wagents'
interpreter, whose environment holds every server's dependencies) and run it in the server's
directory, so the server lives in a process of its own and FastMCP does the work: `fastmcp
inspect` for reports, `fastmcp call` (a real MCP client over stdio to `fastmcp run`) for calls,
`fastmcp dev inspector` for the MCP Inspector. `wagents list` reads the static facts and counts
components through the isolated probe (runner.py); servers are never imported here.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import signal
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wagents.analysis import budget
from wagents.model import Server, UsageError
from wagents.probe.runner import ProbeLimits, request_for, run_probes
from wagents.workspace.root import Workspace
from wagents.workspace.server import FASTMCP_JSON, ServerFiles

#: How much of a failed command's output is shown.
OUTPUT_TAIL_LINES = 20


def fastmcp_command(*args: str) -> list[str]:
    """`fastmcp ARGS...` run by wagents' own interpreter (the workspace environment)."""
    return [sys.executable, "-m", "fastmcp.cli", *args]


def fastmcp_environment(base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a FastMCP CLI child: the user's, with this environment's `bin` first.

    Unlike the validator's probe, these are commands a developer runs on purpose, so the server
    sees the developer's variables (API keys it needs). `fastmcp dev` starts `fastmcp run` by
    name through the Inspector, hence PATH; banners and update checks are turned off.
    """
    env = dict(os.environ if base is None else base)
    bin_dir = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join(
        [bin_dir, *(p for p in env.get("PATH", "").split(os.pathsep) if p)]
    )
    env.setdefault("FASTMCP_SHOW_CLI_BANNER", "false")
    env.setdefault("FASTMCP_SHOW_SERVER_BANNER", "false")
    env.setdefault("FASTMCP_CHECK_FOR_UPDATES", "off")
    return env


def server_spec(facts: ServerFiles) -> str:
    """What to hand `fastmcp run`/`inspect`: fastmcp.json when there is one, else the module."""
    if (facts.path / FASTMCP_JSON).is_file():
        return FASTMCP_JSON
    return module_spec(facts)


def module_spec(facts: ServerFiles) -> str:
    """`server.py` or `server.py:entrypoint`: the source file FastMCP imports, without a config."""
    return f"{facts.source_name}:{facts.entrypoint}" if facts.entrypoint else facts.source_name


# -- wagents inspect ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Inspection:
    """The outcome of `fastmcp inspect`: its JSON report, or what it printed when it failed."""

    report: dict[str, Any] | None
    returncode: int
    output: str

    @property
    def ok(self) -> bool:
        return self.report is not None


def inspect_command(facts: ServerFiles, output: Path, report_format: str = "fastmcp") -> list[str]:
    """`fastmcp inspect SPEC --skip-env --format F -o OUTPUT`, run in the server's directory.

    `--skip-env` keeps FastMCP from wrapping the command in `uv run --with ...`: wagents'
    environment already holds the server's dependencies. The report goes to a file because
    `fastmcp inspect` prints JSON to stdout through a console that wraps long lines.
    """
    return fastmcp_command(
        "inspect", server_spec(facts), "--skip-env", "--format", report_format, "-o", str(output)
    )


def inspect_server(
    facts: ServerFiles, report_format: str = "fastmcp", timeout: float = 60.0
) -> Inspection:
    """Run `fastmcp inspect` on one server in a process of its own and return its report."""
    with tempfile.TemporaryDirectory(prefix="wagents-inspect-") as scratch:
        output = Path(scratch) / "report.json"
        returncode, printed = run_bounded(
            inspect_command(facts, output, report_format), facts.path, timeout
        )
        report = None
        if returncode == 0 and output.is_file():
            with contextlib.suppress(ValueError, OSError):
                report = json.loads(output.read_text(encoding="utf-8"))
        return Inspection(report if isinstance(report, dict) else None, returncode, printed)


def run_bounded(command: Sequence[str], cwd: Path, timeout: float) -> tuple[int, str]:
    """Run `command` with stdin closed in its own process group; kill the group on timeout.

    Returns the exit status (-9 after a timeout) and the combined output.
    """
    process = subprocess.Popen(
        command,
        cwd=cwd,
        env=fastmcp_environment(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        printed, _ = process.communicate(timeout=timeout)
        timed_out = False
    except subprocess.TimeoutExpired:
        timed_out = True
    finally:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
    if timed_out:
        printed, _ = process.communicate()
        note = f"\n(no report within {timeout:g} s: stopped)"
        return -signal.SIGKILL, printed.decode("utf-8", "replace") + note
    return process.returncode, printed.decode("utf-8", "replace")


def output_tail(text: str, lines: int = OUTPUT_TAIL_LINES) -> str:
    """The last `lines` non-empty lines of a command's output."""
    kept = [line for line in text.splitlines() if line.strip()]
    return "\n".join(kept[-lines:])


# -- wagents call ------------------------------------------------------------------------------


def parse_arguments(text: str | None) -> dict[str, Any]:
    """The tool arguments given as a JSON object on the command line ({} when omitted)."""
    if text is None or not text.strip():
        return {}
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise UsageError(f"ARGUMENTS is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise UsageError(
            f'ARGUMENTS must be a JSON object such as \'{{"text": "hi"}}\', '
            f"not a {type(value).__name__}"
        )
    return value


def stdio_server_command(facts: ServerFiles) -> list[str]:
    """`fastmcp run SPEC` forced onto stdio, quiet: how `wagents call` starts the server."""
    return fastmcp_command(
        "run",
        server_spec(facts),
        "--skip-env",
        "--transport",
        "stdio",
        "--no-banner",
        "--log-level",
        "WARNING",
    )


def call_command(
    facts: ServerFiles,
    target: str,
    arguments: dict[str, Any],
    prompt: bool = False,
    json_output: bool = False,
    timeout: float | None = None,
) -> list[str]:
    """`fastmcp call --command '<fastmcp run ...>' --target TARGET --input-json ARGS`.

    fastmcp's client starts the server over stdio, calls the tool (or reads the resource when
    TARGET holds `://`, or gets the prompt with `prompt`), prints the result and exits 1 on an
    error result or an unknown target.
    """
    command = fastmcp_command(
        "call", "--command", shlex.join(stdio_server_command(facts)), "--target", target
    )
    if arguments:
        command += ["--input-json", json.dumps(arguments)]
    if prompt:
        command.append("--prompt")
    if json_output:
        command.append("--json")
    if timeout is not None:
        command += ["--timeout", f"{timeout:g}"]
    return command


# -- wagents dev -------------------------------------------------------------------------------


def dev_command(facts: ServerFiles, extra: Sequence[str] = ()) -> list[str]:
    """`fastmcp dev inspector server.py:entrypoint EXTRA...`, run in the server's directory.

    The module spec, not fastmcp.json: with fastmcp.json, FastMCP wraps the server in
    `uv run --with <each dependency>`, which would resolve workspace packages from an index;
    wagents' environment already has them.
    """
    return fastmcp_command("dev", "inspector", module_spec(facts), *extra)


# -- wagents list ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServerSummary:
    """One line of `wagents list`: static facts plus the component counts of the probe."""

    name: str
    path: str
    description: str
    transport: str
    tools: int | None
    resources: int | None
    templates: int | None
    prompts: int | None
    #: The estimated tokens of the tool list (see wagents.analysis.budget).
    tokens: int | None
    status: str
    message: str | None

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def list_servers(
    workspace: Workspace,
    servers: Sequence[Server],
    timeout: float = 30.0,
    jobs: int | None = None,
) -> list[ServerSummary]:
    """Describe `servers`: description, transport and (from isolated probes) component counts."""
    all_facts = {server.path: ServerFiles(server, workspace) for server in servers}
    requests = [request_for(facts) for facts in all_facts.values()]
    runtime = {
        request.server_dir: facts
        for request, facts in run_probes(requests, ProbeLimits(timeout=timeout), jobs)
    }
    summaries = []
    for path, facts in all_facts.items():
        probed = runtime.get(path)
        server = probed.server if probed is not None and probed.imported else None
        summaries.append(
            ServerSummary(
                name=facts.server.name,
                path=workspace.relative(path),
                description=str(facts.project.get("description") or ""),
                transport=transport(facts),
                tools=len(server.tools) if server is not None else None,
                resources=len(server.resources) if server is not None else None,
                templates=len(server.templates) if server is not None else None,
                prompts=len(server.prompts) if server is not None else None,
                tokens=budget.list_tokens(tool.wire for tool in server.tools)
                if server is not None
                else None,
                status=str(probed.status) if probed is not None else "not-probed",
                message=probed.message if probed is not None else None,
            )
        )
    return summaries


def transport(facts: ServerFiles) -> str:
    """fastmcp.json `deployment.transport` (FastMCP's default, stdio, when unset)."""
    value = facts.deployment.get("transport")
    return value if isinstance(value, str) and value else "stdio"

"""`wagents validate --isolated`: install each server alone, then import it there.

The workspace shares one environment, so a server may import something only another server, the
root's dev group or wagents brought in (uv issue 4574), and still pass the import check. Here each
server gets a virtual environment of its own holding exactly what its own pyproject declares, as
uv.lock pins it: `uv sync --package NAME --frozen --no-dev --no-editable` with
UV_PROJECT_ENVIRONMENT pointing at `.wagents/isolated/NAME/venv` (the same install as `wagents
docker`'s image). The probe then imports the server with that environment's interpreter.

`uv sync` is exact: it removes every package the server does not declare, so the environment is as
good as a fresh one, while keeping it saves the second run from compiling every module of fastmcp
again (a fresh environment has no bytecode: about 5 s per server on a small machine). uv runs
offline first (its cache usually holds everything) and asks the index only when the cache lacks a
file.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from wagents.files.atomic import exclusive_lock
from wagents.model import UsageError
from wagents.probe.protocol import RuntimeFacts
from wagents.probe.runner import ProbeLimits, request_for, run_probe
from wagents.workspace.root import Workspace
from wagents.workspace.server import ServerFiles
from wagents.workspace.uv import uv_executable


@dataclass(frozen=True)
class IsolatedFacts:
    """The server installed alone from its own pyproject into a fresh environment (`uv sync
    --package NAME` into a venv of its own) and imported there by the probe.

    `install_error` says why the install failed (then there is no `runtime`).
    """

    command: str
    install_error: str | None = None
    runtime: RuntimeFacts | None = None


#: How long one install may take (a cold cache downloads every wheel).
INSTALL_TIMEOUT = 600.0
#: What uv says when --offline missed the cache; then the install is retried online.
OFFLINE_MISS = ("Network connectivity is disabled", "not found in the cache", "offline")


def sync_command(package: str) -> list[str]:
    """The install, minus `uv` and `--offline` (shown in findings, as the image runs it)."""
    return ["sync", "--package", package, "--frozen", "--no-dev", "--no-editable"]


def install_alone(
    workspace: Workspace, package: str, environment: Path, uv: str
) -> tuple[str | None, str]:
    """Install `package` alone into `environment`; returns (error or None, uv's output)."""
    env = {key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"}
    env.update(UV_PROJECT_ENVIRONMENT=str(environment), UV_NO_PROGRESS="1")
    output = ""
    for offline in (True, False):
        command = [uv, *sync_command(package), *(["--offline"] if offline else [])]
        try:
            done = subprocess.run(
                command,
                cwd=workspace.root,
                env=env,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=INSTALL_TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return f"uv did not finish within {INSTALL_TIMEOUT:g} s", output
        output = done.stderr
        if done.returncode == 0:
            return None, output
        if not (offline and any(marker in output for marker in OFFLINE_MISS)):
            break
    return _uv_error(output), output


def _uv_error(output: str) -> str:
    """uv's `error:` line and its causes, on one line."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    start = next((i for i, line in enumerate(lines) if line.startswith("error:")), None)
    if start is None:
        return lines[-1][:300] if lines else "uv failed without a message"
    kept = [lines[start].removeprefix("error:").strip()]
    causes = lines[start + 1 : start + 4]
    kept += [line for line in causes if line.startswith(("Caused by", "cause:"))]
    kept += [line for line in lines[start + 1 :] if line.startswith("hint:")][:1]
    return "; ".join(kept)[:500]


def environment_dir(files: ServerFiles) -> Path:
    """Where the server's own environment lives (git-ignored, under `.wagents/`)."""
    return files.workspace.state_dir / "isolated" / files.server.name / "venv"


def check_server(files: ServerFiles, uv: str, limits: ProbeLimits) -> IsolatedFacts:
    """Install one server alone in its own environment and import it there."""
    package = str(files.project.get("name") or files.server.name)
    shown = "uv " + " ".join(sync_command(package))
    environment = environment_dir(files)
    # One run at a time per environment: another run's sync must not change it mid-import.
    with exclusive_lock(environment.parent / ".lock"):
        error, _ = install_alone(files.workspace, package, environment, uv)
        if error is not None:
            return IsolatedFacts(shown, install_error=error)
        python = environment / "bin" / "python"
        if not python.exists():
            python = environment / "Scripts" / "python.exe"
        request = request_for(files, str(python))
        return IsolatedFacts(shown, runtime=run_probe(request, limits))


def check_isolated(
    servers: Iterable[ServerFiles], timeout: float, jobs: int | None = None
) -> dict[Path, IsolatedFacts]:
    """Install and import every server that has a module to import, `jobs` at a time; the
    result of each by server directory."""
    uv = uv_executable()
    if uv is None:
        raise UsageError("--isolated installs servers with uv, which is not on PATH")
    chosen = [
        files for files in servers if files.source_inside_server and files.source_path.is_file()
    ]
    if not chosen:
        return {}
    limits = ProbeLimits(timeout=timeout)
    workers = max(1, min(jobs or os.cpu_count() or 1, len(chosen)))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = pool.map(lambda item: check_server(item, uv, limits), chosen)
        return {files.path: isolated for files, isolated in zip(chosen, results, strict=True)}

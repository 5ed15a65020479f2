"""`wagents docker`: the generated Dockerfile passes hadolint and, replayed command by command
without a Docker engine (tests/dockerreplay.py), installs the server alone and serves it."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import subprocess
from pathlib import Path

import pytest
from fastmcp import Client

from wagents.testing import copy_repository, invoke_wagents, unused_server_name

from .dockerreplay import ignore_rules, instructions, is_ignored, replay
from .helpers import REPO_ROOT, require_tool
from .taskcluster import free_port, wait_healthy

SERVER = "workspace-tools"
#: The server the tests add: a name no server of this repository (or a user's) has.
NOTES = unused_server_name(REPO_ROOT, "notes")


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of this repository with one more freshly scaffolded server, NOTES (locked)."""
    root = copy_repository(REPO_ROOT, tmp_path_factory.mktemp("docker") / "repo")
    created = invoke_wagents("new", NOTES, "--no-sync", cwd=root)
    assert created.returncode == 0, created.stderr
    locked = subprocess.run(
        ["uv", "lock", "--offline"], cwd=root, capture_output=True, text=True, check=False
    )
    if locked.returncode != 0:  # the cache lacks something: let uv ask the index
        locked = subprocess.run(
            ["uv", "lock"], cwd=root, capture_output=True, text=True, check=False
        )
    assert locked.returncode == 0, locked.stderr
    for name in (SERVER, NOTES):
        done = invoke_wagents("docker", name, "--write", cwd=root)
        assert done.returncode == 0, done.stderr
    return root


def dockerfile(repo: Path, name: str = SERVER) -> Path:
    return repo / "mcp" / name / "Dockerfile"


@pytest.mark.parametrize("name", [SERVER, NOTES])
def test_hadolint_passes(repo: Path, name: str) -> None:
    hadolint = require_tool("hadolint")
    done = subprocess.run(
        [hadolint, "--no-color", "--failure-threshold", "info", str(dockerfile(repo, name))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_hadolint_would_catch_a_bad_dockerfile(tmp_path: Path) -> None:
    hadolint = require_tool("hadolint")
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nRUN pip install fastmcp\nCMD python server.py\n")
    done = subprocess.run(
        [hadolint, "--no-color", str(bad)], capture_output=True, text=True, check=False
    )
    assert done.returncode != 0
    assert "DL3007" in done.stdout  # `latest`


def test_what_the_image_promises(repo: Path) -> None:
    steps = instructions(dockerfile(repo).read_text())
    froms = [args for keyword, args in steps if keyword == "FROM"]
    assert len(froms) == 2
    for image in froms:
        reference = image.split()[0]
        tag = reference.rpartition(":")[2]
        assert "latest" not in reference and re.match(r"\d+\.\d+\.\d+", tag), reference
    runs = " ".join(args for keyword, args in steps if keyword == "RUN")
    assert f"uv sync --frozen --no-dev --no-editable --package {SERVER}" in runs
    users = [args for keyword, args in steps if keyword == "USER"]
    assert users and users[-1] not in ("root", "0")
    env = " ".join(args for keyword, args in steps if keyword == "ENV")
    for setting in (
        "HOST=0.0.0.0",
        "PORT=8000",
        "FASTMCP_STATELESS_HTTP=true",
        "MCP_TRANSPORT=http",
    ):
        assert setting in env
    assert not re.search(r"(TOKEN|SECRET|PASSWORD|API_KEY)\w*=", env)
    assert ("EXPOSE", "8000") in steps
    health = next(args for keyword, args in steps if keyword == "HEALTHCHECK")
    assert "/health" in health and "urllib" in health and "curl" not in health
    assert ("CMD", '["python", "server.py"]') in steps


def test_the_ignore_file_sends_only_what_the_image_installs(repo: Path) -> None:
    rules = ignore_rules(dockerfile(repo).with_name("Dockerfile.dockerignore").read_text())
    kept = ["pyproject.toml", "uv.lock", f"mcp/{SERVER}/server.py", "tools/wagents/pyproject.toml"]
    kept.append("tools/wagents/src/wagents/cli.py")
    left_out = [
        f"mcp/{NOTES}/server.py",  # another server
        f"mcp/{SERVER}/.env",
        f"mcp/{SERVER}/tests/test_server.py",
        f"mcp/{SERVER}/Dockerfile",
        ".venv/bin/python",
        ".git/config",
        "tests/test_docker.py",
        "tools/wagents/src/wagents/__pycache__/cli.cpython-311.pyc",
    ]
    assert [path for path in kept if is_ignored(path, rules)] == []
    assert [path for path in left_out if not is_ignored(path, rules)] == []


@pytest.mark.slow  # installs the server into a fresh environment, as the image would
async def test_replayed_image_serves_health_and_mcp(repo: Path, tmp_path: Path) -> None:
    (repo / "mcp" / SERVER / ".env").write_text("SECRET_TOKEN=do-not-ship\n")
    image = replay(dockerfile(repo), repo, tmp_path / "image")
    assert [argv[:2] for argv in image.ran] == [["uv", "sync"]]
    assert image.exposed == [8000]
    app = tmp_path / "image" / "app"
    assert (app / "mcp" / SERVER / "server.py").is_file()
    assert not (app / "mcp" / SERVER / ".env").exists()
    assert not (app / "mcp" / SERVER / "tests").exists()
    assert not (app / "mcp" / NOTES).exists()
    # Installed alone: the server's dependencies (wagents as a wheel), not the root's dev group.
    site = next((app / ".venv" / "lib").glob("python3.*/site-packages"))
    assert (site / "fastmcp").is_dir() and (site / "wagents").is_dir()
    assert not (site / "pytest").exists() and not (site / "ruff").exists()

    port = free_port()
    env = {**image.env, "PORT": str(port)}
    log_path = tmp_path / "server.log"
    log = log_path.open("wb")
    process = subprocess.Popen(
        image.resolve(image.cmd, env),
        cwd=image.workdir,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, lambda: process.poll() is None, log_path.read_text)
        assert "0.0.0.0" in (tmp_path / "server.log").read_text()  # HOST from the image
        check = subprocess.run(
            image.resolve(image.healthcheck, env),
            cwd=image.workdir,
            env=env,
            timeout=30,
            check=False,
        )
        assert check.returncode == 0

        async def session(index: int) -> None:
            async with Client(f"{base}/mcp", timeout=60) as client:
                assert "list_rules" in {tool.name for tool in await client.list_tools()}
                doc = await client.call_tool("explain_rule", {"slug": "import-check"})
                assert "import-check" in doc.data

        await asyncio.gather(*(session(i) for i in range(4)))
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()
    # The healthcheck fails once the server is gone.
    gone = subprocess.run(
        image.resolve(image.healthcheck, env),
        cwd=image.workdir,
        env=env,
        capture_output=True,
        check=False,
    )
    assert gone.returncode != 0


def test_write_keeps_hand_edits_unless_forced(repo: Path) -> None:
    again = invoke_wagents("docker", NOTES, "--write", cwd=repo)
    assert again.returncode == 0
    assert f"mcp/{NOTES}/Dockerfile: unchanged" in again.stdout
    path = dockerfile(repo, NOTES)
    edited = path.read_text() + "LABEL team=notes\n"
    path.write_text(edited)
    refused = invoke_wagents("docker", NOTES, "--write", cwd=repo)
    assert refused.returncode == 2
    assert "exists and differs" in refused.stderr and "--force" in refused.stderr
    assert path.read_text() == edited
    forced = invoke_wagents("docker", NOTES, "--write", "--force", cwd=repo)
    assert forced.returncode == 0, forced.stderr
    assert "LABEL" not in path.read_text()
    assert path.stat().st_mode & 0o777 == 0o644


def test_print_shows_both_files(repo: Path) -> None:
    done = invoke_wagents("docker", NOTES, "--python", "3.12", cwd=repo)
    assert done.returncode == 0, done.stderr
    assert "FROM python:3.12-slim-bookworm" in done.stdout
    assert f"# ==> mcp/{NOTES}/Dockerfile.dockerignore <==" in done.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([NOTES, "--python", "3.10"], "does not satisfy requires-python"),
        ([NOTES, "--python", "latest"], "--python takes a version"),
        (["ghost"], "no server named ghost"),
    ],
)
def test_usage_errors(repo: Path, args: list[str], message: str) -> None:
    done = invoke_wagents("docker", *args, cwd=repo)
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr


def test_a_server_without_the_host_contract_is_refused(repo: Path, tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(repo, root, ignore=shutil.ignore_patterns(".venv", ".git"))
    server_py = root / "mcp" / NOTES / "server.py"
    text = server_py.read_text()
    server_py.write_text(text[: text.index('if __name__ == "__main__":')])
    done = invoke_wagents("docker", NOTES, cwd=root)
    assert done.returncode == 2
    assert '__name__ == "__main__"' in done.stderr and "HOST" in done.stderr
    (root / "uv.lock").unlink()
    server_py.write_text(text)
    missing = invoke_wagents("docker", NOTES, cwd=root)
    assert missing.returncode == 2 and "uv.lock is missing" in missing.stderr

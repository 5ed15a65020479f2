"""`wagents adopt`: the real CLI bringing servers of several shapes into scratch copies of this
repository, then `wagents validate` and `wagents test` on what it made."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tomllib
from pathlib import Path

import pytest

from wagents.testing import copy_repository, lock_workspace, run_wagents

from .helpers import REPO_ROOT, require_tool

SOURCES = Path(__file__).parent / "adopt_sources"
#: What an adoption must never leave for the user to fix: only the server's own problems remain.
ADOPTION_RULES = {
    "server-layout",
    "workspace-member",
    "fastmcp-json",
    "entrypoint",
    "dependency-parity",
    "lockfile",
    "fastmcp-version",
    "python-version",
    "pytest-asyncio-mode",
    "import-check",
}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return copy_repository(REPO_ROOT, tmp_path / "repo")


def source(tmp_path: Path, case: str) -> Path:
    """A copy of a source case, with what a real checkout holds and adopt must leave out."""
    copy = tmp_path / "sources" / case
    shutil.copytree(SOURCES / case, copy)
    return copy


def snapshot(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def adopt_and_validate(repo: Path, src: Path, *args: str) -> tuple[Path, list[dict[str, object]]]:
    """`wagents adopt SRC --no-sync ARGS`, lock, then validate the new server: (dir, findings)."""
    adopted = run_wagents("adopt", str(src), "--no-sync", *args, cwd=repo)
    assert adopted.returncode == 0, adopted.stdout + adopted.stderr
    require_tool("uv")
    lock_workspace(repo)
    name = adopted.stdout.split(" as mcp/", 1)[1].split("/", 1)[0]
    validated = run_wagents("validate", name, "--format", "json", "--no-cache", cwd=repo)
    assert validated.returncode in (0, 1), validated.stderr
    findings = json.loads(validated.stdout)["findings"]
    assert [f for f in findings if f["rule"] in ADOPTION_RULES] == [], findings
    return repo / "mcp" / name, findings


def run_tests(repo: Path, name: str, passed: int) -> None:
    tested = run_wagents("test", name, cwd=repo)
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert f"{passed} passed" in tested.stdout


def pyproject(member: Path) -> dict[str, object]:
    return tomllib.loads((member / "pyproject.toml").read_text())


def config(member: Path) -> dict[str, object]:
    return json.loads((member / "fastmcp.json").read_text())


def test_a_factory_with_requirements_txt(repo: Path, tmp_path: Path) -> None:
    member, findings = adopt_and_validate(repo, source(tmp_path, "factory"))
    assert findings == []
    assert member.name == "factory"
    assert config(member)["source"] == {"path": "main.py", "entrypoint": "create_server"}
    dependencies = pyproject(member)["project"]["dependencies"]  # type: ignore[index]
    # fastmcp 2 replaced; the hash and the --index-url option dropped; the include followed.
    assert dependencies == ["fastmcp>=3,<4", "httpx>=0.27", 'anyio>=4; python_version >= "3.11"']
    assert config(member)["environment"]["dependencies"] == dependencies  # type: ignore[index]
    smoke = (member / "tests" / "test_server.py").read_text()
    assert "from main import create_server" in smoke and '["status_text"]' in smoke
    run_tests(repo, "factory", 1)


def test_a_src_package_with_extras_and_markers(repo: Path, tmp_path: Path) -> None:
    result = run_wagents("adopt", str(source(tmp_path, "package")), "--no-sync", cwd=repo)
    assert "src/ layout flattened" in result.stdout
    assert "fastmcp[tasks]>=2.10 replaced by fastmcp[tasks]>=3,<4" in result.stdout
    shutil.rmtree(repo / "mcp" / "weather-pkg")  # again through the shared helper
    (repo / "pyproject.toml").write_text((REPO_ROOT / "pyproject.toml").read_text())
    member, findings = adopt_and_validate(repo, source(tmp_path / "again", "package"))
    assert findings == []
    # the server's own version (its package's), not FastMCP's, is what clients see
    module = (member / "weather_pkg" / "server.py").read_text()
    assert 'version=server_version("weather-pkg"))' in module
    surface = json.loads((member / "mcp-surface.json").read_text())
    assert surface["server"]["version"] == "1.2.0"
    assert sorted(p.name for p in (member / "weather_pkg").iterdir()) == [
        "__init__.py",
        "forecast.py",
        "server.py",
    ]
    assert not (member / "src").exists()
    assert config(member)["source"] == {"path": "server.py", "entrypoint": "mcp"}
    assert "from weather_pkg.server import mcp" in (member / "server.py").read_text()
    text = (member / "pyproject.toml").read_text()
    assert text.startswith("# The weather package, built and installed as a console script.\n")
    data = pyproject(member)
    assert data["project"]["dependencies"] == [  # type: ignore[index]
        "fastmcp[tasks]>=3,<4",
        'anyio>=4; python_version >= "3.11"',
    ]
    assert "build-system" not in data and "scripts" not in data["project"]  # type: ignore[operator]
    assert data["project"]["optional-dependencies"] == {"cli": ["typer>=0.15"]}  # type: ignore[index]
    assert data["tool"]["ruff"] == {"line-length": 100}  # type: ignore[index]
    assert "hatch" not in data["tool"]  # type: ignore[operator]
    run_tests(repo, "weather-pkg", 1)


def test_sibling_modules_data_files_and_own_tests(repo: Path, tmp_path: Path) -> None:
    src = source(tmp_path, "siblings")
    (src / ".env").write_text("API_TOKEN=not-to-be-copied\n")
    (src / ".venv" / "lib").mkdir(parents=True)
    (src / ".venv" / "lib" / "site.py").write_text("")
    (src / "__pycache__").mkdir()
    (src / "__pycache__" / "helpers.cpython-311.pyc").write_bytes(b"\0")
    member, findings = adopt_and_validate(repo, src, "--name", "greeter")
    assert findings == []
    files = sorted(p.relative_to(member).as_posix() for p in member.rglob("*") if p.is_file())
    assert files == [
        ".env.example",
        "data/greeting.txt",
        "fastmcp.json",
        "helpers.py",
        "mcp-surface.json",
        "pyproject.toml",
        "server.py",
        "tests/test_server.py",
    ]
    assert (member / "tests" / "test_server.py").read_bytes() == (
        src / "tests" / "test_server.py"
    ).read_bytes()
    assert config(member)["source"] == {"path": "server.py", "entrypoint": "server"}
    run_tests(repo, "greeter", 1)


def test_a_single_file_with_inline_script_metadata(repo: Path, tmp_path: Path) -> None:
    member, findings = adopt_and_validate(repo, source(tmp_path, "script") / "clock.py")
    assert findings == []
    assert member.name == "clock"
    assert config(member)["source"] == {"path": "clock.py", "entrypoint": "app"}
    assert pyproject(member)["project"]["dependencies"] == ["fastmcp>=3,<4", "anyio>=4"]  # type: ignore[index]
    run_tests(repo, "clock", 1)


@pytest.mark.parametrize(
    ("make", "args", "message"),
    [
        (lambda s: s / "two_servers", (), "2 FastMCP servers in"),
        (lambda s: s / "no_server", (), "no FastMCP server found in"),
        (lambda s: s / "missing", (), "does not exist"),
        (lambda s: s / "factory" / "requirements.txt", (), "is not a Python file or a directory"),
        (lambda s: s / "factory", ("--name", "workspace-tools"), "already exists"),
        (lambda s: s / "factory", ("--name", "Bad_Name"), "invalid server name"),
        (lambda s: s / "factory", ("--entrypoint", "main.py:nothing"), "does not define nothing"),
        (lambda s: s / "two_servers", ("--entrypoint", "mcp"), None),
    ],
)
def test_bad_input_is_one_line_exit_2_and_nothing_written(
    repo: Path, tmp_path: Path, make, args: tuple[str, ...], message: str | None
) -> None:
    for case in ("two_servers", "no_server", "factory"):
        source(tmp_path, case)
    before = snapshot(repo)
    result = run_wagents("adopt", str(make(tmp_path / "sources")), "--no-sync", *args, cwd=repo)
    if message is None:  # the control: naming one of the two servers adopts it
        assert result.returncode == 0, result.stderr
        assert "entrypoint: server.py:mcp" in result.stdout
        return
    assert result.returncode == 2, result.stdout + result.stderr
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(repo) == before


@pytest.mark.parametrize("breakage", ["syntax", "not-utf8", "fifo", "bad-requirement"])
def test_unreadable_sources_are_refused(repo: Path, tmp_path: Path, breakage: str) -> None:
    src = source(tmp_path, "factory")
    match breakage:
        case "syntax":
            (src / "helpers.py").write_text("def broken(:\n")
        case "not-utf8":
            (src / "pyproject.toml").write_bytes(b"[project]\nname = '\xff'\n")
        case "fifo":
            (src / "requirements.txt").unlink()
            os.mkfifo(src / "requirements.txt")
        case "bad-requirement":
            (src / "requirements-extra.txt").write_text("anyio>=>4\n")
    before = snapshot(repo)
    result = run_wagents("adopt", str(src), "--no-sync", cwd=repo, timeout=60)
    assert result.returncode == 2, result.stdout + result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert snapshot(repo) == before


def test_a_failing_lock_leaves_nothing_behind(repo: Path, tmp_path: Path) -> None:
    """uv lock runs before the commit point: when it fails, the member and the root pyproject
    are put back (offline, a requirement uv has never seen cannot resolve)."""
    require_tool("uv")
    lock_workspace(repo)
    src = source(tmp_path, "factory")
    with (src / "requirements.txt").open("a") as requirements:
        requirements.write("wagents-test-no-such-distribution==1.0\n")
    before = snapshot(repo)
    result = run_wagents("adopt", str(src), cwd=repo, env={"UV_OFFLINE": "1"})
    assert result.returncode == 2, result.stdout + result.stderr
    assert "`uv lock` failed" in result.stderr
    assert (
        snapshot(repo)
        == {path: digest for path, digest in snapshot(repo).items() if path.startswith(".wagents/")}
        | before
    )
    assert not (repo / "mcp" / "factory").exists()


def test_adopt_syncs_then_validates(repo: Path, tmp_path: Path) -> None:
    """Without --no-sync: uv lock, uv sync, then the new server's findings and a clean exit."""
    require_tool("uv")
    lock_workspace(repo)
    result = run_wagents("adopt", str(source(tmp_path, "script") / "clock.py"), cwd=repo)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "All checks passed (1 server)." in result.stdout
    assert (repo / ".venv").is_dir()  # uv sync made the workspace's environment
    check = run_wagents("validate", "clock", "--select", "lockfile", cwd=repo)
    assert check.returncode == 0, check.stdout

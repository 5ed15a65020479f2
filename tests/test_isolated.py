"""`wagents validate --isolated` end to end: a server that imports what only the workspace provides
passes the shared import check and fails alone; the per-server environment stays exact."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from wagents.testing import copy_repository, lock_workspace, run_wagents, unused_server_name

from .helpers import REPO_ROOT

#: The servers the tests add: names no server of this repository (or a user's) has.
LEAKY = unused_server_name(REPO_ROOT, "leaky")
UNLOCKED = unused_server_name(REPO_ROOT, "unlocked")
#: Each test installs servers into fresh environments (uv, from its cache).
pytestmark = pytest.mark.slow

LEAKY_SOURCE = '''

import tomlkit  # provided by wagents in the workspace environment, not declared here


@mcp.tool(
    annotations=ToolAnnotations(
        readOnlyHint=True, destructiveHint=False, idempotentHint=True, openWorldHint=False
    )
)
def toml_dump(data: Annotated[dict, Field(description="The table to dump.")]) -> str:
    """Dump a table as TOML."""
    return tomlkit.dumps(data)
'''


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_repository(REPO_ROOT, tmp_path_factory.mktemp("isolated") / "repo")
    done = run_wagents("new", LEAKY, "--no-sync", cwd=root)
    assert done.returncode == 0, done.stderr
    server_py = root / "mcp" / LEAKY / "server.py"
    server_py.write_text(server_py.read_text() + LEAKY_SOURCE)
    written = run_wagents("surface", LEAKY, "--write", cwd=root)  # its new tool is recorded
    assert written.returncode == 0, written.stderr
    lock_workspace(root)
    return root


def copy_of(repo: Path, destination: Path) -> Path:
    ignored = shutil.ignore_patterns(".venv", ".wagents", ".git", "__pycache__")
    return Path(shutil.copytree(repo, destination, ignore=ignored))


def findings(done) -> list[dict]:
    return json.loads(done.stdout)["findings"]


def test_the_shared_environment_hides_the_missing_dependency(repo: Path) -> None:
    done = run_wagents("validate", LEAKY, "--format", "json", cwd=repo)
    assert [f for f in findings(done) if f["rule"] in ("import-check", "isolated-install")] == []


def test_isolated_install_reports_it(repo: Path) -> None:
    done = run_wagents("validate", "--isolated", "--format", "json", cwd=repo)
    assert done.returncode == 1, done.stdout + done.stderr
    isolated = [f for f in findings(done) if f["rule"] == "isolated-install"]
    assert len(isolated) == 1, isolated
    (finding,) = isolated
    assert finding["server"] == LEAKY
    assert finding["severity"] == "error"
    assert finding["path"] == f"mcp/{LEAKY}/server.py"
    assert "No module named 'tomlkit'" in finding["message"]
    line = finding["line"]
    assert "import tomlkit" in (repo / finding["path"]).read_text().splitlines()[line - 1]
    # workspace-tools declares wagents, which brings tomlkit: it passes alone.
    assert (repo / ".wagents" / "isolated" / "workspace-tools" / "venv").is_dir()


def test_the_kept_environment_is_synced_exactly(repo: Path) -> None:
    """A package left in the server's environment (by hand, or by an older pyproject) is removed
    before the import, so it cannot hide the missing dependency."""
    kept = repo / ".wagents" / "isolated" / LEAKY / "venv"
    if not kept.is_dir():  # the test runs alone (-k): make the environment the previous one kept
        made = run_wagents("validate", LEAKY, "--isolated", "--format", "json", cwd=repo)
        assert made.returncode == 1 and kept.is_dir(), made.stdout + made.stderr
    site = next((repo / ".wagents" / "isolated" / LEAKY / "venv" / "lib").glob("python3.*"))
    source = Path(sys.modules["tomlkit"].__file__).parent
    shutil.copytree(source, site / "site-packages" / "tomlkit")
    for dist in source.parent.glob("tomlkit-*.dist-info"):
        shutil.copytree(dist, site / "site-packages" / dist.name)
    # --no-cache: nothing the result depends on changed, so a cached run would not install again.
    done = run_wagents("validate", LEAKY, "--isolated", "--no-cache", "--format", "json", cwd=repo)
    assert done.returncode == 1
    assert any("tomlkit" in f["message"] for f in findings(done) if f["rule"] == "isolated-install")
    assert not (site / "site-packages" / "tomlkit").exists()


def test_declaring_the_dependency_fixes_it(repo: Path, tmp_path: Path) -> None:
    root = copy_of(repo, tmp_path / "repo")
    pyproject = root / "mcp" / LEAKY / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace('"fastmcp>=3,<4",', '"fastmcp>=3,<4",\n    "tomlkit>=0.13",')
    )
    fastmcp_json = root / "mcp" / LEAKY / "fastmcp.json"
    fastmcp_json.write_text(
        fastmcp_json.read_text().replace('"fastmcp>=3,<4"', '"fastmcp>=3,<4", "tomlkit>=0.13"')
    )
    lock_workspace(root)
    done = run_wagents("validate", LEAKY, "--isolated", "--format", "json", cwd=root)
    assert done.returncode == 0, done.stdout
    assert findings(done) == []


def test_a_server_missing_from_the_lock_fails_to_install(repo: Path, tmp_path: Path) -> None:
    root = copy_of(repo, tmp_path / "repo")
    created = run_wagents("new", UNLOCKED, "--no-sync", cwd=root)
    assert created.returncode == 0, created.stderr
    done = run_wagents("validate", UNLOCKED, "--isolated", "--select", "isolated-install", cwd=root)
    assert done.returncode == 1
    assert f"installing {UNLOCKED} alone" in done.stdout
    assert "uv lock" in done.stdout


def test_without_the_flag_the_rule_is_silent(repo: Path) -> None:
    done = run_wagents(
        "validate", LEAKY, "--select", "isolated-install", "--format", "json", cwd=repo
    )
    assert done.returncode == 0
    assert findings(done) == []

"""The server job's `wagents diff` step, run for real as the runner runs it: a scratch copy of
this repository as a git history (the base, then a pull request's change to one server)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from wagents.testing import commit_all, copy_repository, git, lock_workspace, run_wagents

from .test_workflow import CI, load, run_step


def diff_step() -> dict[str, Any]:
    (step,) = [s for s in load(CI)["jobs"]["server"]["steps"] if "wagents diff" in s.get("run", "")]
    return step


def test_the_step_runs_on_pull_requests_only_and_gets_the_base_from_env() -> None:
    step = diff_step()
    assert step["if"] == "${{ !cancelled() && github.event_name == 'pull_request' }}"
    assert step["env"] == {
        "SERVER": "${{ matrix.server }}",
        "BASE_SHA": "${{ github.event.pull_request.base.sha }}",
    }
    (checkout,) = [
        s for s in load(CI)["jobs"]["server"]["steps"] if "checkout" in s.get("uses", "")
    ]
    assert checkout["with"]["fetch-depth"] == 0  # the merge base must be in the clone


def test_the_step_summarizes_and_fails_while_a_breaking_change_is_unacknowledged(
    tmp_path: Path,
) -> None:
    step = diff_step()
    root = copy_repository(Path(__file__).resolve().parents[1], tmp_path / "repo")
    created = run_wagents("new", "demo", "--no-sync", cwd=root)
    assert created.returncode == 0, created.stderr
    lock_workspace(root)
    git(root, "init", "-q", "-b", "main")
    commit_all(root, "base")
    base = git(root, "rev-parse", "HEAD").strip()
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")

    def run() -> int:
        result = run_step(
            step["run"], root, SERVER="demo", BASE_SHA=base, GITHUB_STEP_SUMMARY=str(summary)
        )
        assert result.returncode in (0, 1), result.stderr
        return result.returncode

    assert run() == 0
    assert summary.read_text().startswith("earlier step\n### ✅ wagents diff\n\nNo surface changes")

    git(root, "checkout", "-q", "-b", "change")
    server = root / "mcp" / "demo" / "server.py"
    server.write_text(server.read_text().replace("text: Annotated", "message: Annotated"))
    server.write_text(server.read_text().replace("return text", "return message"))
    assert run_wagents("surface", "demo", "--write", cwd=root).returncode == 0
    commit_all(root, "rename a parameter")
    assert run() == 1  # the job fails
    text = summary.read_text()
    assert "### ❌ wagents diff" in text and "renamed to \\`message\\`" in text
    assert "> [!CAUTION]" in text

    pyproject = root / "mcp" / "demo" / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('version = "0.1.0"', 'version = "0.2.0"'))
    lock_workspace(root)  # uv.lock records the version (`uv run --locked` refuses a stale lock)
    assert run_wagents("surface", "demo", "--write", cwd=root).returncode == 0
    assert run() == 0  # acknowledged: still listed as breaking
    last = summary.read_text().rsplit("\n### ", 1)[1]
    assert last.startswith("⚠️ wagents diff") and "🔴 breaking" in last

"""The code, project and secrets rules beyond their golden cases: git-ignored files, secrets
never printed, one lock check per run, the FastMCP signature read without importing it, and the
format-preserving edits --fix relies on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wagents.check import facts as facts_module
from wagents.check.engine import Options, validate
from wagents.check.rules import all_rules
from wagents.files.json_edit import set_value
from wagents.files.toml_edit import set_pytest_asyncio_auto
from wagents.testing import git, run_wagents, scratch_workspace
from wagents.workspace.root import Workspace

from .conftest import require_tool

SECRET = "kq3P9xW2mZ8rT5vB"  # what must never appear in any output


def test_a_git_ignored_dotenv_is_where_secrets_belong(tmp_path: Path) -> None:
    require_tool("git")
    root = tmp_path / "repo"
    scratch_workspace(root, ["alpha", "beta"])
    for name in ("alpha", "beta"):
        (root / "mcp" / name / ".env").write_text(f'API_KEY="{SECRET}"\n')
    (root / "mcp" / "alpha" / ".gitignore").write_text(".env\n")
    (root / "mcp" / "beta" / ".gitignore").unlink()  # the scaffold's ignores .env too
    git(root, "init", "-q")

    result = run_wagents("validate", "--select", "hardcoded-secret", "-f", "json", cwd=root)

    findings = json.loads(result.stdout)["findings"]
    assert [(f["server"], f["path"], f["line"]) for f in findings] == [("beta", "mcp/beta/.env", 1)]
    assert "Secret Keyword" in findings[0]["message"]


@pytest.mark.parametrize("output_format", ["text", "json"])
def test_a_finding_never_shows_the_secret(tmp_path: Path, output_format: str) -> None:
    root = tmp_path / "repo"
    scratch_workspace(root, ["alpha"])
    server = root / "mcp" / "alpha"
    config = json.loads((server / "fastmcp.json").read_text())
    config["deployment"]["env"] = {"API_TOKEN": SECRET, "URL": f"redis://:{SECRET}@h:6379/0"}
    (server / "fastmcp.json").write_text(json.dumps(config, indent=2))
    with (server / "server.py").open("a") as source:
        source.write(f'\npassword = "{SECRET}"\n')

    result = run_wagents("validate", "--select", "hardcoded-secret", "-f", output_format, cwd=root)

    assert result.returncode == 1
    assert result.stdout.count("hardcoded-secret") == 3
    assert SECRET not in result.stdout + result.stderr


def test_the_lock_is_checked_once_per_run(tmp_path: Path, monkeypatch) -> None:
    root = tmp_path / "repo"
    scratch_workspace(root, ["alpha", "beta", "gamma"])
    calls = []
    real = facts_module.check_lock

    def counting(path: Path):
        calls.append(path)
        return real(path)

    monkeypatch.setattr(facts_module, "check_lock", counting)
    workspace = Workspace.find(root)
    report = validate(workspace, workspace.servers(), Options(select=("lockfile",)))
    assert calls == [root]
    assert [f.server for f in report.findings] == ["alpha", "beta", "gamma"]


def test_the_constructor_signature_read_from_source_matches_inspect() -> None:
    from wagents.check.facts import _signature_from_import, _signature_from_source

    from_source = _signature_from_source()
    assert from_source == _signature_from_import()
    assert from_source.positional == 2
    assert {"mask_error_details", "tasks", "auth"} <= from_source.keywords
    assert {"host", "port", "stateless_http", "tool_serializer"} <= set(from_source.removed)


def test_rules_of_the_code_project_and_secrets_families_document_themselves() -> None:
    families = {"code", "project", "secrets"}
    mine = [item for item in all_rules().values() if item.family in families]
    assert len(mine) == 11
    for item in mine:
        assert item.summary.endswith("."), item.slug
        assert "\nBad::\n\n    " in item.doc, item.slug
        assert "\nGood::\n\n    " in item.doc, item.slug


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (
            '{\r\n  "environment": {"dependencies": []}\r\n}\r\n',
            '{\r\n  "environment": {"dependencies": ["a", "b"]}\r\n}\r\n',
        ),
        (
            '{"source": {"path": "s.py"}, "environment": {"python": "3.12"}}',
            '{"source": {"path": "s.py"}, "environment": {"dependencies": ["a", "b"], '
            '"python": "3.12"}}',
        ),
        (
            '{\n  "source": {"path": "s.py"}\n}',
            '{\n  "environment": {"dependencies": ["a", "b"]},\n  "source": {"path": "s.py"}\n}',
        ),
        (
            '{"environment": {"dependencies": ["\\u00e9", "x"]}, "key": "[\\"]"}',
            '{"environment": {"dependencies": ["a", "b"]}, "key": "[\\"]"}',
        ),
    ],
)
def test_json_edits_keep_everything_else(before: str, after: str) -> None:
    assert set_value(before, ["environment", "dependencies"], ["a", "b"]) == after
    assert json.loads(after)["environment"]["dependencies"] == ["a", "b"]


def test_asyncio_mode_goes_into_a_native_pytest_table() -> None:
    native = '[tool.pytest]\ntestpaths = ["tests"]  # pytest 9\n'
    assert set_pytest_asyncio_auto(native) == native + 'asyncio_mode = "auto"\n'

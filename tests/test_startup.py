"""`wagents --version` and `wagents --help` load the command line only: not the validation
engine, its rules, the probe machinery or fastmcp (they cost a second or more)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

#: (pydantic is not among them: typer itself imports it to build a command's parameters.)
HEAVY = ("fastmcp", "mcp", "wagents.check.engine", "wagents.check.rules", "wagents.probe")


def _imported(*args: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "wagents", *args],
        capture_output=True,
        text=True,
        check=True,
        stdin=subprocess.DEVNULL,
    )
    return _modules(done.stderr)


def _modules(importtime: str) -> set[str]:
    """The modules `python -X importtime` reported importing, from its stderr."""
    return {
        line.rpartition("|")[2].strip()
        for line in importtime.splitlines()
        if line.startswith("import time:")
    }


@pytest.mark.parametrize("args", [("--version",), ("--help",), ("validate", "--help")])
def test_the_command_line_starts_without_the_engine(args: tuple[str, ...]) -> None:
    modules = _imported(*args)
    assert "wagents.cli.app" in modules  # the measurement sees wagents' own imports
    heavy = sorted(
        name for name in modules if any(name == h or name.startswith(h + ".") for h in HEAVY)
    )
    assert heavy == []


def test_a_run_the_cache_answers_loads_no_rules_probe_or_fastmcp(tmp_path) -> None:
    """The warm path: every server's findings come from the cache, so nothing that checks a
    server is imported (pydantic still is: typer itself uses it for its parameters)."""
    from wagents.testing import run_wagents, scratch_workspace

    workspace = scratch_workspace(tmp_path / "ws", ["alpha", "beta"])
    first = run_wagents("validate", "--format", "json", cwd=workspace.root)
    assert "findings" in first.stdout, first.stderr
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "wagents", "validate", "--format", "json"],
        cwd=workspace.root,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert done.stdout == first.stdout  # the same report, from the cache
    modules = _modules(done.stderr)
    assert "wagents.check.engine" in modules
    heavy = (
        "fastmcp",
        "mcp",
        "detect_secrets",
        "wagents.check.rules",
        "wagents.check.facts",
        "wagents.check.pipeline",
        "wagents.probe.runner",
        "wagents.probe.scheduler",
        "wagents.probe.sandbox",
        "wagents.analysis",
    )
    loaded = sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in heavy))
    assert loaded == []


def _broken_config_workspace(tmp_path: Path) -> Path:
    """Two scaffolds, alpha's fastmcp.json with an unknown key and a value the model refuses."""
    from wagents.testing import scratch_workspace

    workspace = scratch_workspace(tmp_path / "ws", ["alpha", "beta"])
    config = workspace.root / "mcp" / "alpha" / "fastmcp.json"
    broken = json.loads(config.read_text())
    broken["enviroment"] = {"python": "3.11"}  # an unknown key
    broken["deployment"] = {"transport": "carrier-pigeon"}  # a value the model refuses
    config.write_text(json.dumps(broken, indent=2))
    return workspace.root


def _validate(root: Path, *args: str) -> tuple[str, str, set[str]]:
    """`wagents validate -f json ARGS` in `root`: its stdout, its stderr, and which fastmcp and
    detect-secrets modules the validator imported."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "wagents", "validate", "-f", "json", *args],
        cwd=root,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    heavy = {"fastmcp", "detect_secrets"}
    imported = {name for name in _modules(done.stderr) if name.partition(".")[0] in heavy}
    return done.stdout, done.stderr, imported


def _fastmcp_json_messages(stdout: str) -> list[str]:
    findings = json.loads(stdout)["findings"]
    return [finding["message"] for finding in findings if finding["rule"] == "fastmcp-json"]


def test_a_server_checked_again_imports_neither_fastmcp_nor_detect_secrets(tmp_path) -> None:
    """A run that checks a server again (its server.py changed) takes what FastMCP's config model
    said of a fastmcp.json it has seen, and what the secret scan needs to know of detect-secrets,
    from the cache's memory: the same findings as a run that asks them, without importing fastmcp
    or detect-secrets into the validator (the server's texts hold nothing detect-secrets could
    report)."""
    from wagents.testing import run_wagents

    root = _broken_config_workspace(tmp_path)
    first = run_wagents("validate", "--format", "json", cwd=root)
    assert "findings" in first.stdout, first.stderr
    source = root / "mcp" / "alpha" / "server.py"
    source.write_text(source.read_text() + "\n# edited\n")
    again, stderr, imported_again = _validate(root, "--verbose")
    assert "1 server(s) from .wagents/cache/validate, 1 checked" in stderr  # alpha, again
    asked, _, imported_asked = _validate(root, "--no-cache", "--runner", "process")
    assert again == asked
    assert len(_fastmcp_json_messages(again)) == 2  # the unknown key, and the model's refusal
    # The measurement sees both imports when they happen.
    assert {"fastmcp.utilities.mcp_server_config", "detect_secrets"} <= imported_asked
    assert sorted(imported_again) == []


def test_the_zygote_answers_what_fastmcp_s_models_say(tmp_path) -> None:
    """A run whose probes fork from the zygote asks it what FastMCP's config model says of each
    fastmcp.json (it has imported fastmcp already): the findings of a run without a zygote, which
    imports fastmcp into the validator, with no fastmcp module in the validator."""
    root = _broken_config_workspace(tmp_path)
    forked, _, imported_forked = _validate(root, "--no-cache", "--runner", "zygote")
    fresh, _, imported_fresh = _validate(root, "--no-cache", "--runner", "process")
    assert json.loads(forked)["findings"] == json.loads(fresh)["findings"]
    assert len(_fastmcp_json_messages(forked)) == 2  # the unknown key, and the model's refusal
    assert "fastmcp.utilities.mcp_server_config" in imported_fresh  # the measurement sees it
    assert sorted(name for name in imported_forked if name.startswith("fastmcp")) == []

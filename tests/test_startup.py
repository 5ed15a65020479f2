"""`wagents --version` and `wagents --help` load the command line only: not the validation
engine, its rules, the probe machinery or fastmcp (they cost a second or more)."""

from __future__ import annotations

import subprocess
import sys

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
    return {
        line.rpartition("|")[2].strip()
        for line in done.stderr.splitlines()
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

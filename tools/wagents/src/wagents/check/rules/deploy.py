"""Rules about deploying a server on its own, away from the workspace's shared environment."""

from __future__ import annotations

from collections.abc import Iterator

from wagents.check.facts import ServerFacts
from wagents.check.rules import Problem, Stage, rule
from wagents.model import Severity
from wagents.probe.isolated import IsolatedFacts
from wagents.probe.protocol import Status


@rule("isolated-install", Severity.ERROR, stage=Stage.ISOLATED, requires=("import-check",))
def isolated_install(facts: ServerFacts, isolated: IsolatedFacts | None) -> Iterator[Problem]:
    """The server installs alone from its own pyproject and imports there (`--isolated`).

    The workspace shares one environment: every server's dependencies, wagents and the dev tools
    sit side by side, so a server importing something it never declared still passes the import
    check, and then fails in its Docker image or on a machine that installs only it. With
    `wagents validate --isolated`, each server is installed alone into an environment of its own
    (`uv sync --package NAME --frozen --no-dev --no-editable`, exactly what uv.lock pins for it,
    as its Docker image gets it; the sync is exact, so nothing else survives there) and imported
    there. A module missing there is a dependency to
    declare, in pyproject.toml and in fastmcp.json `environment.dependencies`, then `uv lock`.
    Without `--isolated` this rule reports nothing.

    Bad::

        # pyproject.toml: dependencies = ["fastmcp>=3,<4"]
        import tomlkit  # installed in the workspace by another package, not by this server

    Good::

        # pyproject.toml: dependencies = ["fastmcp>=3,<4", "tomlkit>=0.13"]
        import tomlkit
    """
    if isolated is None:
        return
    if isolated.install_error is not None:
        yield Problem(
            f"installing {facts.server.name} alone (`{isolated.command}`) failed: "
            f"{isolated.install_error}",
            facts.path / "pyproject.toml",
        )
        return
    runtime = isolated.runtime
    if runtime is None or runtime.imported or runtime.status is Status.NO_SERVER:
        return
    if facts.runtime is not None and not facts.runtime.imported:
        return  # it fails in the shared environment too (no-server: entrypoint says so)
    name = facts.files.source_name
    detail = runtime.message or runtime.status
    if runtime.status is Status.EXCEPTION and "ModuleNotFoundError" in detail:
        yield Problem(
            f"installed alone, importing {name} raised {detail}: the workspace provides it, "
            "this server does not declare it (add it to pyproject.toml and fastmcp.json, then "
            "`uv lock`)",
            facts.files.source_path,
            runtime.line,
        )
        return
    yield Problem(
        f"installed alone (`{isolated.command}`), importing {name} failed ({runtime.status}): "
        f"{detail}",
        facts.files.source_path,
        runtime.line,
    )

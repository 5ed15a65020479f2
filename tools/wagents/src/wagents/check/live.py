"""`wagents validate --live`: what the engine launches, from which facts, and what comes back.

The engine calls `check_live` once, after the import probes, with the facts of the servers to
check; it gives back the `LiveFacts` (probe/live.py) of each server it launched, which the
engine passes to the rules of check/rules/live.py. A server that did not import, or did not start
for the probe's own in-memory client, is not launched (it gets only its `import-check` or
`startup` finding), nor is one whose probe saw it write into the workspace when it started
(`import-side-effects`): a live launch runs in the server's real directory, as clients start it,
and validation must leave the workspace as it was.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from pathlib import Path

from wagents.check.facts import ServerFacts
from wagents.model import UsageError
from wagents.probe.live import LiveFacts, LiveRequest, run_live
from wagents.workspace.uv import uv_executable

#: The rules that read `LiveFacts`, each launching its transport; `--live` launches only for the
#: selected ones.
LIVE_RULES = ("live-stdio", "live-http")


def live_request(
    facts: ServerFacts, uv: str, timeout: float, slugs: Collection[str] = LIVE_RULES
) -> LiveRequest | None:
    """What to launch for one server, or None when it did not import (or is not launchable)."""
    runtime = facts.runtime
    files = facts.files
    if runtime is None or not runtime.imported or not files.source_inside_server:
        return None
    if runtime.session is not None and not runtime.session.ok:
        return None  # it does not start for the probe's own client: `startup` says why
    server = runtime.server
    app = runtime.http_app
    health = server is not None and any(
        route.path == "/health" and "GET" in route.methods for route in server.custom_routes
    )
    return LiveRequest(
        server_dir=files.path,
        workspace_root=files.workspace.root,
        source=files.source_name,
        entrypoint=files.entrypoint,
        server_object=runtime.entrypoint or "mcp",
        app=app is not None,
        mcp_path=(app.path if app is not None else None) or "/mcp",
        health=health,
        timeout=timeout,
        uv=uv,
        env=files.probe_env,
        stdio="live-stdio" in slugs,
        http="live-http" in slugs,
    )


def writes_into_workspace(facts: ServerFacts) -> str | None:
    """Why the server is not launched when its probe saw it write into the workspace."""
    runtime = facts.runtime
    if runtime is None:
        return None
    effects = runtime.side_effects
    paths = [
        path
        for path in (*effects.created, *effects.changed, *effects.removed)
        if not path.startswith("~")
    ]
    if not paths:
        return None
    shown = facts.relative(Path(paths[0]))
    more = f" and {len(paths) - 1} more" if len(paths) > 1 else ""
    return (
        f"not started: when it starts it writes into the workspace ({shown}{more}, see "
        "import-side-effects), and --live runs it in its real directory"
    )


def check_live(
    all_facts: Iterable[ServerFacts],
    timeout: float,
    jobs: int | None,
    slugs: Collection[str] = LIVE_RULES,
) -> dict[Path, LiveFacts]:
    """Launch every server that imported, `jobs` at a time: its `LiveFacts` by server directory.

    `slugs`, the selected rules, say which transports (live-stdio, live-http) to launch.
    """
    uv = uv_executable()
    if uv is None:
        raise UsageError(
            "--live starts servers with uv, as client configurations do; uv is not on PATH"
        )
    results: dict[Path, LiveFacts] = {}
    requests: list[LiveRequest] = []
    for facts in all_facts:
        request = live_request(facts, uv, timeout, slugs)
        if request is None:
            continue
        reason = writes_into_workspace(facts)
        if reason is not None:
            results[facts.path] = LiveFacts(stdio=None, http=None, skipped=reason)
            continue
        requests.append(request)
    for request, live in run_live(requests, jobs):
        results[request.server_dir] = live
    return results


def not_launched(live: LiveFacts | None) -> set[str]:
    """The live rules that said nothing because nothing ran for them: their ignores stand."""
    if live is None:
        return set(LIVE_RULES)
    if live.skipped is not None:
        return set()  # each rule reported why
    return {
        slug
        for slug, launched in (("live-stdio", live.stdio), ("live-http", live.http))
        if launched is None
    }

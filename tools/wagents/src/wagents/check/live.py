"""`wagents validate --live`: what the engine launches, from which facts, and where the results go.

The engine calls `attach_live` once, after the import probes, with the facts of every server to
check; each server that imported gets `facts.live` (probe/live.py's `LiveFacts`), which the rules
of check/rules/live.py read. A server that did not import is not launched: it gets only its
import finding.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from wagents.check.facts import ServerFacts
from wagents.model import UsageError
from wagents.probe.live import LiveRequest, run_live
from wagents.workspace.uv import uv_executable

#: The rules that read `facts.live`; `--live` launches servers only when one of them is selected.
LIVE_RULES = ("live-stdio", "live-http")


def live_request(
    facts: ServerFacts, uv: str, timeout: float, slugs: Collection[str] = LIVE_RULES
) -> LiveRequest | None:
    """What to launch for one server, or None when it did not import (or is not launchable)."""
    runtime = facts.runtime
    if runtime is None or not runtime.imported or not facts.source_inside_server:
        return None
    server = runtime.server or {}
    app = runtime.http_app
    health = any(
        route.get("path") == "/health" and "GET" in (route.get("methods") or [])
        for route in server.get("custom_routes") or []
    )
    return LiveRequest(
        server_dir=facts.path,
        workspace_root=facts.workspace.root,
        source=facts.source_name,
        entrypoint=facts.entrypoint,
        server_object=runtime.entrypoint or "mcp",
        app=app is not None,
        mcp_path=str((app or {}).get("path") or "/mcp"),
        health=health,
        timeout=timeout,
        uv=uv,
        stdio="live-stdio" in slugs,
        http="live-http" in slugs,
    )


def attach_live(
    all_facts: Iterable[ServerFacts],
    timeout: float,
    jobs: int | None,
    slugs: Collection[str] = LIVE_RULES,
) -> None:
    """Launch every server that imported, `jobs` at a time, and set its `facts.live`; `slugs`,
    the selected rules, say which transports (live-stdio, live-http) to launch."""
    uv = uv_executable()
    if uv is None:
        raise UsageError(
            "--live starts servers with uv, as client configurations do; uv is not on PATH"
        )
    requests: dict[LiveRequest, ServerFacts] = {}
    for facts in all_facts:
        request = live_request(facts, uv, timeout, slugs)
        if request is not None:
            requests[request] = facts
    for request, live in run_live(requests, jobs):
        requests[request].live = live


def unjudged(facts: ServerFacts) -> set[str]:
    """Rules that said nothing because they did not run (no `--live`): their ignores stand."""
    live = facts.live
    return {
        slug
        for slug, launched in (
            ("live-stdio", live is not None and live.stdio is not None),
            ("live-http", live is not None and live.http is not None),
        )
        if not launched
    }

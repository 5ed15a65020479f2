"""How to validate: `Options`, what the engine, the pipeline and the cache key read."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Options:
    """How to validate: which rules, how many probes at once, how long each may take.

    `cache` reuses and stores per-server results under `.wagents/cache/` (the CLI's default;
    off for library callers). `runner` is "auto", "zygote" or "process" (see probe/scheduler.py).
    """

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    jobs: int | None = None
    timeout: float = 30.0
    isolated: bool = False  # also install each server alone and import it there (slow)
    live: bool = False  # also start each server over stdio and HTTP and talk MCP to it
    cache: bool = False
    runner: str = "auto"
    #: The report lists the selected rules with their docs (SARIF needs them; a run the cache
    #: answers otherwise loads no rule).
    describe_rules: bool = True

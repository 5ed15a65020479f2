"""`wagents validate` as a function: workspace → servers → facts → rules → findings → `Report`.

With `Options(cache=True)`, servers whose inputs did not change since a previous run take their
findings from the cache (see cache.py) and are neither probed nor checked; the others go through
the pipeline (pipeline.py: facts, probes, rules in stages). This module stays light on purpose:
a run the cache answers entirely imports neither the rules nor the probe machinery, fastmcp or
pydantic, so that a warm `wagents validate` costs little more than starting Python.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from wagents.check.cache import ResultCache
from wagents.check.options import Options
from wagents.model import (
    Finding,
    ProbeSummary,
    Report,
    RuleInfo,
    RunInfo,
    Server,
    Suppressed,
    UsageError,
)
from wagents.workspace.root import Workspace

if TYPE_CHECKING:
    from wagents.check.rules import Rule
    from wagents.probe.scheduler import Prober

__all__ = ["Options", "selected_rules", "validate"]


def selected_rules(options: Options) -> list[Rule]:
    """The rules `--select`/`--ignore` leave, in registry order; unknown slugs are usage errors."""
    from wagents.check.rules import all_rules  # the rules and all they read: only when needed

    rules = all_rules()
    unknown = [slug for slug in (*options.select, *options.ignore) if slug not in rules]
    if unknown:
        raise UsageError(f"unknown rule {', '.join(unknown)} (see `wagents rules` for the list)")
    chosen = [rules[slug] for slug in options.select] if options.select else list(rules.values())
    return [item for item in chosen if item.slug not in options.ignore]


def _prober(workspace: Workspace, options: Options) -> Prober:
    """What runs the import probes of this run. A kept zygote is a cache too: a run that reads
    none (`--no-cache`) starts a zygote of its own."""
    from wagents.probe.runner import ProbeLimits
    from wagents.probe.scheduler import Prober
    from wagents.workspace.settings import read_workspace_settings

    keep = 0.0
    if options.cache:
        keep = read_workspace_settings(workspace.tool_wagents).values.keep_zygote
    return Prober(ProbeLimits(timeout=options.timeout), options.jobs, options.runner, keep)


def validate(
    workspace: Workspace,
    servers: Iterable[Server],
    options: Options | None = None,
    on_server_done: Callable[[str], None] | None = None,
) -> Report:
    """Run the selected rules on `servers` and return every finding, sorted.

    `on_server_done(name)` is called once per server, in the calling thread, when its findings
    are known.
    """
    started = time.monotonic()
    options = options or Options()
    servers = list(servers)
    cache: ResultCache | None = None
    cache_error = None
    if options.cache:
        try:
            cache = ResultCache.for_run(workspace, options)
        except OSError as exc:  # a shared file cannot be read: validate without the cache
            cache_error = f"{exc.strerror or exc}: {exc.filename}"
    findings: list[Finding] = []
    suppressed: list[Suppressed] = []
    keys: dict[str, str | None] = {}
    todo: list[Server] = []
    for server in servers:
        lookup = cache.lookup(server) if cache is not None else None
        if lookup is not None and lookup.entry is not None:
            findings += lookup.entry.findings
            suppressed += lookup.entry.suppressed
            if on_server_done is not None:
                on_server_done(server.name)
            continue
        keys[server.name] = lookup.key if lookup is not None else None
        todo.append(server)
    needs_rules = bool(todo or options.select or options.ignore or options.describe_rules)
    rules: list[Rule] = []
    probes, checked, stored, live, live_seconds, live_jobs = ProbeSummary(), 0, 0, 0, 0.0, 0
    if todo:
        prober = _prober(workspace, options)
        try:
            if not (options.select or options.ignore):  # every rule runs: the probed ones too
                prober.start(len(todo))  # the zygote imports fastmcp while the rules load
            rules = selected_rules(options)
            from wagents.check.pipeline import Pipeline  # the heavy part: what is not cached

            pipeline = Pipeline(workspace, rules, options, cache, keys, on_server_done)
            pipeline.run(todo, prober)
        finally:
            prober.close()
        findings += pipeline.findings
        suppressed += pipeline.suppressed
        probes, checked, stored = pipeline.probes.summary(), pipeline.checked, pipeline.stored
        live, live_seconds, live_jobs = (
            pipeline.live_count,
            pipeline.live_seconds,
            pipeline.live_jobs,
        )
    elif needs_rules:
        rules = selected_rules(options)
    if cache is not None:
        cache.save()
    described: tuple[RuleInfo, ...] = tuple(rules) if options.describe_rules else ()
    return Report(
        servers=tuple(sorted({server.name for server in servers})),
        findings=tuple(sorted(findings, key=lambda f: f.sort_key)),
        suppressed=tuple(sorted(suppressed, key=lambda s: s.finding.sort_key)),
        rules=described,
        server_paths={server.name: workspace.relative(server.path) for server in servers},
        path_prefix=workspace.repository_prefix,
        info=RunInfo(
            probes=probes,
            cache_dir=cache.directory if cache is not None else None,
            cache_error=cache_error,
            cached=len(servers) - len(todo),
            checked=checked,
            stored=stored,
            live=live,
            live_seconds=live_seconds,
            live_jobs=live_jobs,
            seconds=round(time.monotonic() - started, 3),
        ),
    )

"""`wagents validate` as a function: workspace → servers → facts → rules → findings.

Static rules run while the probes do (see probing.py); a server's other rules run as soon as its
probe is done. With `Options(cache=True)`, servers whose inputs did not change since a previous run
take their findings from the cache (see cache.py) and are neither probed nor checked.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from wagents.check.facts import ServerFacts
from wagents.check.rules import Rule, all_rules
from wagents.check.suppressions import Ignore
from wagents.model import Finding, Server, Severity, Suppressed, UsageError
from wagents.probe.runner import ProbeLimits, ProbeRequest
from wagents.probe.scheduler import ProbeInfo, Prober
from wagents.workspace.root import Workspace

#: The rule slug under which a crashing rule is reported.
INTERNAL_ERROR = "internal-error"


@dataclass(frozen=True)
class Options:
    """How to validate: which rules, how many probes at once, how long each may take.

    `cache` reuses and stores per-server results under `.wagents/cache/` (the CLI's default;
    off for library callers). `runner` is "auto", "zygote" or "process" (see probing.py).
    """

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    jobs: int | None = None
    timeout: float = 30.0
    isolated: bool = False  # also install each server alone and import it there (slow)
    live: bool = False  # also start each server over stdio and HTTP and talk MCP to it
    cache: bool = False
    runner: str = "auto"


@dataclass
class RunInfo:
    """How a run went, for `--verbose`: the probe runner, the cache, the time taken."""

    probes: ProbeInfo = field(default_factory=ProbeInfo)
    cache_dir: Path | None = None
    cache_error: str | None = None  # why the cache was not used although asked for
    cached: int = 0  # servers whose findings came from the cache
    checked: int = 0  # servers whose rules ran
    stored: int = 0  # cache entries written
    live: int = 0  # servers started with --live
    live_seconds: float = 0.0  # the time those launches took, in all
    seconds: float = 0.0


@dataclass(frozen=True)
class Report:
    """The outcome of a validation run.

    `path_prefix` is the workspace root's place in its git repository ("" at the top, else
    "sub/dir/"): CI formats give paths relative to the repository, findings to the workspace.
    """

    servers: list[str]
    findings: list[Finding] = field(default_factory=list)
    suppressed: list[Suppressed] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    server_paths: dict[str, str] = field(default_factory=dict)
    path_prefix: str = ""
    info: RunInfo = field(default_factory=RunInfo, compare=False)

    def count(self, severity: Severity) -> int:
        return sum(1 for finding in self.findings if finding.severity is severity)

    @property
    def summary(self) -> dict[str, int]:
        counts = Counter(finding.severity for finding in self.findings)
        return {
            "servers": len(self.servers),
            "errors": counts[Severity.ERROR],
            "warnings": counts[Severity.WARNING],
            "info": counts[Severity.INFO],
        }

    @property
    def failed(self) -> bool:
        return self.count(Severity.ERROR) > 0

    def fails(self, strict: bool = False) -> bool:
        """Whether the run fails: any error, or with `strict` any warning too."""
        return self.failed or (strict and self.count(Severity.WARNING) > 0)


def selected_rules(options: Options) -> list[Rule]:
    """The rules `--select`/`--ignore` leave, in registry order; unknown slugs are usage errors."""
    rules = all_rules()
    unknown = [slug for slug in (*options.select, *options.ignore) if slug not in rules]
    if unknown:
        raise UsageError(f"unknown rule {', '.join(unknown)} (see `wagents rules` for the list)")
    chosen = [rules[slug] for slug in options.select] if options.select else list(rules.values())
    return [item for item in chosen if item.slug not in options.ignore]


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
    rules = selected_rules(options)
    servers = list(servers)
    run = _Run(workspace, rules, options, on_server_done)
    run.run(servers)
    run.info.seconds = round(time.monotonic() - started, 3)
    return Report(
        servers=sorted({server.name for server in servers}),
        findings=sorted(run.findings, key=lambda f: f.sort_key),
        suppressed=sorted(run.suppressed, key=lambda s: s.finding.sort_key),
        rules=rules,
        server_paths={server.name: workspace.relative(server.path) for server in servers},
        path_prefix=workspace.repository_prefix,
        info=run.info,
    )


class _Run:
    """One validation: cache lookups, probes in the background, rules, cache stores."""

    def __init__(
        self,
        workspace: Workspace,
        rules: list[Rule],
        options: Options,
        on_server_done: Callable[[str], None] | None,
    ) -> None:
        from wagents.check.cache import ResultCache

        self.workspace = workspace
        self.options = options
        self.rules = rules
        # Run while the probes do: they read no runtime facts and need no other finding.
        self.static_rules = [item for item in rules if not item.runtime and not item.after_findings]
        self.on_server_done = on_server_done
        self.findings: list[Finding] = []
        self.suppressed: list[Suppressed] = []
        self.info = RunInfo()
        self.cache = None
        if options.cache:
            try:
                self.cache = ResultCache.for_run(workspace, [item.slug for item in rules], options)
                self.info.cache_dir = self.cache.directory
            except OSError as exc:  # a shared file cannot be read: validate without the cache
                self.info.cache_error = f"{exc.strerror or exc}: {exc.filename}"
        self.isolated = False
        if options.isolated:
            from wagents.probe.isolated import RULE

            self.isolated = any(item.slug == RULE for item in rules)
        self.live = False
        if options.live:
            from wagents.check.live import LIVE_RULES

            self.live = any(item.slug in LIVE_RULES for item in rules)
        self.keys: dict[str, str] = {}
        self.static_findings: dict[str, list[Finding]] = {}
        self.waiting: list[ServerFacts] = []  # for their isolated install or live launch

    def run(self, servers: list[Server]) -> None:
        todo = [
            ServerFacts(server, self.workspace) for server in servers if not self._cached(server)
        ]
        limits = ProbeLimits(timeout=self.options.timeout)
        with Prober(limits, self.options.jobs, self.options.runner) as prober:
            if any(item.runtime for item in self.rules):
                prober.start(len(todo))  # the zygote imports fastmcp while the servers are read
            self._check(todo, prober)
        self.info.probes = prober.info
        if self.waiting:
            if self.isolated:
                from wagents.probe.isolated import attach_isolated

                attach_isolated(self.waiting, self.options.timeout, self.options.jobs)
            if self.live:
                from wagents.check.live import attach_live

                slugs = [item.slug for item in self.rules]
                started = time.monotonic()
                attach_live(self.waiting, self.options.timeout, self.options.jobs, slugs)
                self.info.live = sum(facts.live is not None for facts in self.waiting)
                self.info.live_seconds = round(time.monotonic() - started, 3)
            for facts in self.waiting:
                self._finish(facts)

    def _check(self, todo: list[ServerFacts], prober: Prober) -> None:
        requests: dict[ProbeRequest, ServerFacts] = {}
        if any(item.runtime for item in self.rules):
            for facts in todo:
                loaded = facts.source
                # A module wagents could not even read (too big, not UTF-8, unreadable) is not
                # imported.
                if loaded is not None and (loaded.error is None or loaded.text is not None):
                    requests[ProbeRequest(facts.path, facts.source_name, facts.entrypoint)] = facts
        prober.submit(requests)
        for facts in todo:  # while the probes run
            self.static_findings[facts.server.name] = _run_rules(facts, self.static_rules)
        probed = set(map(id, requests.values()))
        for facts in todo:
            if id(facts) not in probed:
                self._probed(facts)
        for request, runtime in prober.results():
            requests[request].runtime = runtime
            self._probed(requests[request])

    def _cached(self, server: Server) -> bool:
        if self.cache is None:
            return False
        lookup = self.cache.lookup(server)
        self.keys[server.name] = lookup.key
        if lookup.entry is None:
            return False
        self.findings += lookup.entry.findings
        self.suppressed += lookup.entry.suppressed
        self.info.cached += 1
        self._done(server.name)
        return True

    def _probed(self, facts: ServerFacts) -> None:
        if self.isolated or self.live:
            self.waiting.append(facts)
        else:
            self._finish(facts)

    def _finish(self, facts: ServerFacts) -> None:
        name = facts.server.name
        findings, suppressed = check_server(
            facts, self.rules, self.static_rules, self.static_findings.pop(name)
        )
        self.findings += findings
        self.suppressed += suppressed
        self.info.checked += 1
        unstable = facts.live is not None and facts.live.unstable  # a launch ran out of time
        if (
            self.cache is not None
            and not unstable
            and self.cache.store(facts.server, self.keys[name], findings, suppressed, facts.runtime)
        ):
            self.info.stored += 1
        self._done(name)

    def _done(self, name: str) -> None:
        if self.on_server_done is not None:
            self.on_server_done(name)


def check_server(
    facts: ServerFacts,
    rules: Iterable[Rule],
    done: Iterable[Rule] = (),
    found: Iterable[Finding] = (),
) -> tuple[list[Finding], list[Suppressed]]:
    """Apply `rules` to one server's facts, then its `[tool.wagents] ignore` entries.

    Returns the findings that stand and the suppressed ones. Rules marked `after_findings`
    (unused-ignore) run last, once the suppressions are known. Rules in `done` already ran on
    these facts (validation runs the static ones while the probes run) and gave `found`.
    """
    rules = list(rules)
    early = [item for item in rules if not item.after_findings]
    skipped = {item.slug for item in done}
    findings = [*found, *_run_rules(facts, [item for item in early if item.slug not in skipped])]
    # A runtime rule says nothing about a server that did not import: its ignores are not judged.
    imported = facts.runtime is not None and facts.runtime.imported
    from wagents.check.live import unjudged

    judged = {item.slug for item in early if imported or not item.runtime} - unjudged(facts)
    findings, suppressed, facts.unused_ignores = _apply_ignores(facts, findings, judged)
    findings += _run_rules(facts, [item for item in rules if item.after_findings])
    return findings, suppressed


def _apply_ignores(
    facts: ServerFacts, findings: list[Finding], ran: set[str]
) -> tuple[list[Finding], list[Suppressed], list[Ignore]]:
    ignores, _ = facts.ignores
    reasons = {entry.rule: entry.reason for entry in ignores}
    kept = [finding for finding in findings if finding.rule not in reasons]
    suppressed = [
        Suppressed(finding, reasons[finding.rule])
        for finding in findings
        if finding.rule in reasons
    ]
    matched = {item.finding.rule for item in suppressed}
    unused = [entry for entry in ignores if entry.rule in ran and entry.rule not in matched]
    return kept, suppressed, unused


def _run_rules(facts: ServerFacts, rules: Iterable[Rule]) -> list[Finding]:
    """Apply `rules` to one server's facts; a crashing rule becomes an internal-error finding."""
    findings = []
    for item in rules:
        try:
            problems = list(item.check(facts))
        except Exception as exc:  # a rule's bug must not hide the other rules' findings
            findings.append(
                Finding(
                    facts.server.name,
                    INTERNAL_ERROR,
                    Severity.ERROR,
                    f"rule {item.slug} crashed: {type(exc).__name__}: {exc}",
                )
            )
            continue
        for problem in problems:
            findings.append(
                Finding(
                    server=facts.server.name,
                    rule=item.slug,
                    severity=problem.severity or item.severity,
                    message=problem.message,
                    path=facts.relative(problem.path) if problem.path is not None else None,
                    line=problem.line,
                )
            )
    return findings

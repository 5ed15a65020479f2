"""`wagents validate` as a function: workspace → servers → facts → rules → findings.

Static rules run while the probes do (see probing.py); a server's runtime rules run as soon as its
probe is done. With `Options(cache=True)`, servers whose inputs did not change since a previous run
take their findings from the cache (see cache.py) and are neither probed nor checked.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from wagents.facts import ServerFacts
from wagents.model import Finding, Server, Severity, UsageError
from wagents.probing import ProbeInfo, Prober
from wagents.rules import Rule, all_rules
from wagents.runner import ProbeLimits, ProbeRequest
from wagents.workspace import Workspace

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
    cache: bool = False
    runner: str = "auto"


@dataclass
class RunInfo:
    """How a run went, for `--verbose`: the probe runner, the cache, the time taken."""

    probes: ProbeInfo = field(default_factory=ProbeInfo)
    cache_dir: Path | None = None
    cached: int = 0  # servers whose findings came from the cache
    checked: int = 0  # servers whose rules ran
    stored: int = 0  # cache entries written
    seconds: float = 0.0


@dataclass(frozen=True)
class Report:
    """The outcome of a validation run."""

    servers: list[str]
    findings: list[Finding] = field(default_factory=list)
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
    run = _Run(workspace, rules, options, on_server_done)
    names = run.run(list(servers))
    run.info.seconds = round(time.monotonic() - started, 3)
    return Report(names, sorted(run.findings, key=lambda f: f.sort_key), run.info)


class _Run:
    """One validation: cache lookups, probes in the background, rules, cache stores."""

    def __init__(
        self,
        workspace: Workspace,
        rules: list[Rule],
        options: Options,
        on_server_done: Callable[[str], None] | None,
    ) -> None:
        from wagents.cache import ResultCache

        self.workspace = workspace
        self.options = options
        self.static_rules = [item for item in rules if not item.runtime]
        self.runtime_rules = [item for item in rules if item.runtime]
        self.on_server_done = on_server_done
        self.findings: list[Finding] = []
        self.info = RunInfo()
        self.cache = None
        if options.cache:
            slugs = [item.slug for item in rules]
            self.cache = ResultCache.for_run(workspace, slugs, options.timeout)
            self.info.cache_dir = self.cache.directory
        self.keys: dict[str, str] = {}
        self.partial: dict[str, list[Finding]] = {}

    def run(self, servers: list[Server]) -> list[str]:
        todo = [
            ServerFacts(server, self.workspace) for server in servers if not self._cached(server)
        ]
        requests: dict[ProbeRequest, ServerFacts] = {}
        if self.runtime_rules:
            for facts in todo:
                if facts.source_inside_server and facts.source_path.is_file():
                    requests[ProbeRequest(facts.path, facts.source_name, facts.entrypoint)] = facts
        limits = ProbeLimits(timeout=self.options.timeout)
        with Prober(limits, self.options.jobs, self.options.runner) as prober:
            prober.submit(requests)
            for facts in todo:  # while the probes run
                self.partial[facts.server.name] = check_server(facts, self.static_rules)
            probed = set(map(id, requests.values()))
            for facts in todo:
                if id(facts) not in probed:
                    self._finish(facts)
            for request, runtime in prober.results():
                requests[request].runtime = runtime
                self._finish(requests[request])
        self.info.probes = prober.info
        return sorted({server.name for server in servers})

    def _cached(self, server: Server) -> bool:
        if self.cache is None:
            return False
        lookup = self.cache.lookup(server)
        self.keys[server.name] = lookup.key
        if lookup.findings is None:
            return False
        self.findings += lookup.findings
        self.info.cached += 1
        self._done(server.name)
        return True

    def _finish(self, facts: ServerFacts) -> None:
        name = facts.server.name
        found = self.partial.pop(name) + check_server(facts, self.runtime_rules)
        self.findings += found
        self.info.checked += 1
        if self.cache is not None and self.cache.store(
            facts.server, self.keys[name], found, facts.runtime
        ):
            self.info.stored += 1
        self._done(name)

    def _done(self, name: str) -> None:
        if self.on_server_done is not None:
            self.on_server_done(name)


def check_server(facts: ServerFacts, rules: Iterable[Rule]) -> list[Finding]:
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
